"""Counts of what lies below a place, as annotations: one query for a whole list.

Each count is a correlated subquery rather than a JOIN + COUNT(DISTINCT), so several counts
on one list don't multiply each other's rows, and the query count stays constant in rows.
"""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from linli.accounts.scope import up_path
from linli.people.models import LeaderAssignment, Occupancy
from linli.places.models import Building, Compound, Home, Stairwell

_MODELS = {"compound": Compound, "building": Building, "stairwell": Stairwell, "home": Home}


def _count(qs, path: str, counted: str = "pk"):
    grouped = (
        qs.filter(**{f"{path}_id": OuterRef("pk")})
        .order_by()
        .values(f"{path}_id")
        .annotate(n=Count(counted, distinct=counted != "pk"))
        .values("n")
    )
    return Coalesce(Subquery(grouped, output_field=IntegerField()), 0)


def _below(level: str, target: str):
    """Rows of `level` counted per ancestor `target`."""
    return _count(_MODELS[level].objects.all(), up_path(level, target))


def residents_count(target: str):
    path = "home__" + up_path("home", target) if target != "home" else "home"
    return _count(Occupancy.objects.active(), path, "person")


def leaders_count(target: str):
    path = "building" if target == "building" else "building__" + up_path("building", target)
    return _count(LeaderAssignment.objects.active().filter(building__isnull=False), path, "person")


def with_counts(qs, level: str):
    """Annotate a queryset of places of `level` with what lies below."""
    below = ["compound", "building", "stairwell", "home"]
    below = below[below.index(level) + 1 :] if level in below else below
    annotations = {f"{name}_count": _below(name, level) for name in below}
    annotations["resident_count"] = residents_count(level)
    if level != "stairwell":
        annotations["leader_count"] = leaders_count(level)
    return qs.annotate(**annotations)
