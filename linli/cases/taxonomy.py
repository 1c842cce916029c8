"""The seeded categories (from the 创熟 articles) and the Guangdong 12345 deadlines.

Loaded by migration 0002; `ensure()` loads them again where a test flushed the tables (tests
with a live server empty every table afterwards)."""

CATEGORIES = [
    # code, Chinese, English, default kind, handled by default by, dispute
    ("neighbour-dispute", "邻里纠纷", "Neighbour dispute", "dispute", "association", True),
    ("hygiene", "环境卫生", "Hygiene", "request", "property_company", False),
    ("public-order", "治安秩序", "Public order", "request", "residents_committee", False),
    ("maintenance", "设施维修", "Facility maintenance", "request", "property_company", False),
    ("safety", "安全隐患", "Safety hazard", "request", "property_company", False),
    ("parking", "停车管理", "Parking", "request", "property_company", False),
    ("elevator", "电梯", "Elevator", "request", "property_company", False),
    ("pets", "宠物管理", "Pets", "request", "residents_committee", False),
    ("thrown-from-height", "高空抛物", "Things thrown from height", "complaint", "residents_committee", False),
    ("e-bikes", "电动车停放充电", "E-bikes (parking and charging)", "request", "property_company", False),
    ("noise", "噪音扰民", "Noise", "complaint", "association", True),
    ("environment", "绿化环境", "Environment and greenery", "suggestion", "property_company", False),
    ("property-service", "物业服务", "Property service", "complaint", "owners_committee", False),
    ("other", "其他", "Other", "consultation", "residents_committee", False),
]
DEADLINES = [
    ("consultation", 1, 2),
    ("request", 1, 10),
    ("suggestion", 1, 10),
    ("complaint", 1, 15),
    ("dispute", 1, 15),
]


def seed(Category, DeadlineRule) -> None:
    """Create or update the seeded rows (model classes passed in, so a migration can use its own)."""
    for position, (code, zh, en, kind, handler, dispute) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            code=code,
            defaults=dict(
                name_zh=zh, name_en=en, default_kind=kind, handler_kind=handler, is_dispute=dispute, position=position
            ),
        )
    for kind, reply, resolve in DEADLINES:
        DeadlineRule.objects.update_or_create(kind=kind, defaults=dict(reply_days=reply, resolve_days=resolve))


def ensure() -> None:
    from .models import Category, DeadlineRule

    if not Category.objects.exists():
        seed(Category, DeadlineRule)
