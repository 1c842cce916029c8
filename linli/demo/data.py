"""What the demo data set holds: the real Guicheng compounds from the seed articles.

Figures the articles give (buildings, homes, residents, leaders, stairwells, members) are kept
as published; what they do not give (floor counts, company names, the village) is made up and
marked "invented" below and in docs/demo.md.
"""

import datetime
from dataclasses import dataclass

SUBDISTRICT = "桂城街道"
SUBDISTRICT_OFFICE = "桂城街道办事处"
# Departments a case can be routed to (invented names of the usual offices).
DEPARTMENTS = ("桂城街道城市管理和综合执法办公室", "桂城街道住房城乡建设和水利办公室", "桂城街道社会工作办公室")

# The communities the seeds name, in the order they are created.
COMMUNITIES = (
    "大新社区",
    "翠颐社区",
    "灯湖社区",
    "同德社区",
    "桂花社区",
    "海逸社区",
    "文翰社区",
    "平南社区",
    "夏南二社区",
)

REFERENCE_YEAR = 2026  # ages are drawn relative to this year, not today, so a seed always gives the same people
LAST_DAY = datetime.date(2025, 12, 31)  # generated terms and tenancies start no later than this


@dataclass(frozen=True)
class CompoundSpec:
    key: str
    name: str
    community: str
    homes: int  # real number of homes; --scale multiplies it
    buildings: int = 0
    building_name: str = "{}栋"
    floors: tuple[int, int] = (18, 33)
    stairwells: tuple[int, ...] = (1, 2, 3)  # options per building
    per_floor: tuple[int, ...] = (2, 3, 4)  # homes per floor per stairwell
    fixed_stairwells: bool = False  # the stairwell count is a published figure: keep it at any scale
    min_homes: int = 1
    kind: str = "compound"
    lanes: tuple[str, ...] = ()
    streets: tuple[str, ...] = ()
    alias: str = ""
    built_year: int | None = None
    non_hukou: float = 0.5
    tenants: float = 0.25
    leaders: int = 0
    leaders_by: str = "building"  # or "stairwell"
    leader_party: float = 0.5
    party_share: float = 0.05  # party members among adult residents, unless party_base is set
    party_base: int = 0
    grid_buildings: int = 5
    notes: str = ""


COMPOUNDS = (
    CompoundSpec(
        key="fufeng",
        name="富丰新城",
        community="大新社区",
        homes=2800,
        buildings=20,
        non_hukou=0.76,
        tenants=0.35,
        leaders=26,
        leader_party=0.85,
        party_base=67,
        grid_buildings=5,
        notes="20 buildings, 2,800+ homes, ~9,000 people, 76% non-hukou; 67-member party base (seed 1)",
    ),
    CompoundSpec(
        key="yijing",
        name="颐景园",
        community="翠颐社区",
        homes=3218,
        buildings=42,
        building_name="{}座",
        floors=(7, 12),
        built_year=2006,
        non_hukou=0.45,
        leaders=42,
        leader_party=0.4,
        grid_buildings=6,
        notes="built 2006, 42 buildings, 3,218 homes, ~10,000 people; 同心阁 (seed 2)",
    ),
    CompoundSpec(
        key="binjiang",
        name="滨江一号",
        alias="南海水岸新都花园",
        community="灯湖社区",
        homes=2687,
        buildings=23,
        non_hukou=0.55,
        leaders=45,
        leader_party=0.5,
        grid_buildings=6,
        notes="23 buildings, 2,687 homes, 11 clubs, 45 building leaders, 睦邻中心 (seed 2)",
    ),
    CompoundSpec(
        key="guihua",
        name="桂华丽景",
        community="同德社区",
        homes=792,  # invented: 36 stairwells x 11 floors x 2
        buildings=12,
        stairwells=(3,),
        per_floor=(2,),
        floors=(9, 12),
        fixed_stairwells=True,
        non_hukou=0.4,
        leaders=45,
        leaders_by="stairwell",
        leader_party=0.3,
        grid_buildings=4,
        notes="36 stairwells, 45 leaders, self-governance group of 5 (2 party members) since 2014 (seed 2)",
    ),
    CompoundSpec(
        key="b46",
        name="46号楼",
        community="桂花社区",
        homes=14,
        min_homes=14,  # one old building: always whole, its elevator vote needs every home
        buildings=1,
        building_name="46号楼",
        stairwells=(1,),
        per_floor=(2,),
        floors=(7, 7),
        non_hukou=0.2,
        tenants=0.15,
        leaders=1,
        grid_buildings=1,
        notes="one building; elevator added after 4 years of negotiation; leader 伦祖铠 (seed 2)",
    ),
    CompoundSpec(
        key="pingnan",
        name="平南村",
        community="平南社区",
        kind="village",
        homes=620,  # invented
        lanes=tuple(f"{side}{n}巷" for side in ("东", "西", "南") for n in "一二三四五六七"),
        streets=("大街", "中街", "南街"),
        non_hukou=0.6,
        tenants=0.45,
        grid_buildings=8,
        notes="invented village compound: 21 lanes (巷) and 3 streets (街), a leader for each",
    ),
)

BINJIANG_CLUBS = (
    "滨江一号合唱团",
    "滨江一号太极队",
    "滨江一号书画社",
    "滨江一号摄影协会",
    "滨江一号羽毛球队",
    "滨江一号舞蹈队",
    "滨江一号亲子读书会",
    "滨江一号乒乓球社",
    "滨江一号粤曲社",
    "滨江一号跑步团",
    "滨江一号手工坊",
)

# Property companies (names invented except 水岸新都服务中心) and their service periods.
PROPERTY = {
    "fufeng": (("富丰新城物业服务中心", datetime.date(2013, 7, 1), None),),
    "yijing": (("颐景园物业服务中心", datetime.date(2006, 6, 1), None),),
    "binjiang": (("水岸新都服务中心", datetime.date(2009, 10, 1), None),),
    # 桂华丽景: two companies left (撤场) before the residents organised themselves in 2014.
    "guihua": (
        ("桂华物业管理有限公司", datetime.date(2003, 5, 1), datetime.date(2011, 12, 31)),
        ("丽景物业服务有限公司", datetime.date(2012, 1, 1), datetime.date(2014, 2, 28)),
        ("同德物业服务有限公司", datetime.date(2014, 10, 1), None),
    ),
}

WORKPLACES = (
    "南海区教育局",
    "南海区人民医院",
    "桂城街道办事处",
    "南海区税务局",
    "南海区财政局",
    "南海区卫生健康局",
    "南海区交通运输局",
    "南海区市场监督管理局",
    "桂城中学",
    "南海区人民法院",
)

CARE_NOTES = (
    "独居长者，每周电话问候",
    "独居长者，子女在外地",
    "行动不便，需要上门服务",
    "听力不好，请当面说明",
)
DISABLED_NOTES = ("肢体残疾，轮椅出行", "视力残疾", "听力残疾", "")
