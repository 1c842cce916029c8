"""The default rule sets: Civil Code art. 278 for owners' assemblies, and the stairwell
elevator consent. Loaded by migration 0002; `ensure()` loads them again where a test flushed
the tables."""

DEFAULTS = [
    {
        "name": "民法典第二百七十八条（业主共同决定）",
        "kind": "assembly",
        "participation_area": ">=2/3",
        "participation_heads": ">=2/3",
        "ordinary_area": ">1/2",
        "ordinary_heads": ">1/2",
        "special_area": ">=3/4",
        "special_heads": ">=3/4",
        "special_items": [6, 7, 8],
        "affected_consent": False,
    },
    {
        "name": "既有住宅加装电梯（单元业主）",
        "kind": "elevator",
        "participation_area": ">=2/3",
        "participation_heads": ">=2/3",
        # Adding an elevator is rebuilding (item 7): every matter takes the double 3/4.
        "ordinary_area": ">=3/4",
        "ordinary_heads": ">=3/4",
        "special_area": ">=3/4",
        "special_heads": ">=3/4",
        "special_items": [1, 2, 3, 4, 5, 6, 7, 8, 9],
        "affected_consent": True,
    },
]


def load(RuleSet):
    for data in DEFAULTS:
        if not RuleSet.objects.filter(kind=data["kind"], subdistrict=None, community=None).exists():
            RuleSet.objects.create(**data)


def ensure():
    from .models import RuleSet

    load(RuleSet)
