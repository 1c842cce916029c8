"""One demo login per role. The roles come from the person's memberships and assignments
(accounts/scope.py), which the demo data set gives them; the users only link to them."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from linli.accounts.models import User
from linli.accounts.scope import Role, scope_for, visible_homes, visible_people

PASSWORD = "linli-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str  # the role the account demonstrates
    zh: str
    en: str
    sees_zh: str
    sees_en: str
    roles: frozenset  # every role scope_for gives the account

    @property
    def has_person(self) -> bool:
        return self.username != "admin"


def _a(username, role, zh, en, sees_zh, sees_en, *also):
    return DemoAccount(username, role, zh, en, sees_zh, sees_en, frozenset({role, *also}))


ACCOUNTS = (
    _a("resident", Role.RESIDENT, "居民", "resident", "自己的家和家人", "own home and household"),
    _a(
        "leader",
        Role.BUILDING_LEADER,
        "楼长",
        "building leader",
        "富丰新城1栋全部住户，可查看手机号（留痕）；可试：把上周楼道巡查的发现转为诉求，查看冬季入户走访进度",
        "every home of 富丰新城 building 1; may reveal phones (logged); try: file last week's stairwell-patrol"
        " finding as a case, follow the winter home-visit campaign",
        Role.RESIDENT,
    ),
    _a(
        "partymember",
        Role.HOUSEHOLD_CONTACT,
        "户联系党员",
        "party member with household contacts",
        "自己户联系的5户；可试：在冬季入户走访中走访名单上的户（一户的新手机号待社区审核）",
        "the 5 homes in his household contacts; try: visit the homes on his list in the winter home-visit"
        " campaign (a new phone number he found awaits review)",
        Role.RESIDENT,
    ),
    _a(
        "volunteer",
        Role.VOLUNTEER,
        "志愿者",
        "volunteer",
        "自己的家；卫生监督小分队；已报名下周日“大新之心”志愿服务，可查看工时、积分和证书，卫生检查评分，东门门岗值班（换班待批）",
        "own home; the hygiene supervision squad; signed up for next Sunday's service day; try: his hours,"
        " points and certificate, the hygiene inspections he scored, his gate duty (a swap awaiting approval)",
        Role.RESIDENT,
    ),
    _a(
        "association",
        Role.ASSOCIATION_OFFICER,
        "街坊会会长",
        "association officer",
        "富丰新城的楼栋和组织，不含住户资料",
        "places and organisations of 富丰新城, no residents' data",
        Role.RESIDENT,
    ),
    _a(
        "owners",
        Role.OWNERS_COMMITTEE,
        "业委会主任",
        "owners' committee chair",
        "富丰新城的楼栋和组织，不含住户资料",
        "places and organisations of 富丰新城, no residents' data",
        Role.RESIDENT,
    ),
    _a(
        "property",
        Role.PROPERTY_CLERK,
        "物业客服",
        "property-company clerk",
        "所服务小区富丰新城的住户，可查看手机号",
        "residents of the served compound 富丰新城; may reveal phones",
    ),
    _a(
        "worker",
        Role.COMMUNITY_WORKER,
        "社区工作者",
        "community worker",
        "大新社区全部住户，可查看手机号、身份证号、党员身份",
        "everyone in 大新社区; phones, ID numbers, party membership",
    ),
    _a(
        "secretary",
        Role.PARTY_SECRETARY,
        "社区党委书记",
        "community party secretary",
        "大新社区全部住户和党组织",
        "everyone and every party organisation in 大新社区",
    ),
    _a(
        "subdistrict",
        Role.SUBDISTRICT_ADMIN,
        "街道管理员",
        "subdistrict administrator",
        "桂城街道全部社区",
        "every community of 桂城街道",
    ),
    _a(
        "admin",
        Role.SYSTEM_ADMIN,
        "系统管理员",
        "system administrator",
        "全部，含后台管理",
        "everything, and Django admin",
    ),
)


def create_accounts(people: dict) -> list[User]:
    """The demo users, linked to the people the data set chose for them. A username that
    already exists is left alone. All share one password, so it is hashed once."""
    existing = set(User.objects.filter(username__in=[a.username for a in ACCOUNTS]).values_list("username", flat=True))
    password = make_password(PASSWORD)
    users = [
        User(
            username=a.username,
            password=password,
            person=people.get(a.username) if a.has_person else None,
            is_staff=not a.has_person,
            is_superuser=not a.has_person,
        )
        for a in ACCOUNTS
        if a.username not in existing
    ]
    return User.objects.bulk_create(users)


def describe() -> list[dict]:
    """One row per demo account as it stands in the database: who, how to log in, what they see."""
    wanted = [a.username for a in ACCOUNTS]
    users = {u.username: u for u in User.objects.filter(username__in=wanted).select_related("person")}
    rows = []
    for a in ACCOUNTS:
        user = users.get(a.username)
        if user is None:
            continue
        rows.append(
            {
                "account": a,
                "user": user,
                "name": user.person.name if user.person_id else "",
                "phone": user.person.phone if user.person_id else "",
                "roles": scope_for(user).roles,
                "homes": visible_homes(user).count(),
                "people": visible_people(user).count(),
            }
        )
    return rows
