"""The cases panel of each person's home page: his own requests, and for those who act on
cases, how many wait for him (and how many are late)."""

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from linli.accounts.scope import scope_for
from linli.cases import access
from linli.cases.models import FINAL, Revisit, Status

register = template.Library()


@register.inclusion_tag("cases/_home_panel.html")
def cases_home_panel(user):
    from linli.cases.views import acting_q

    scope = scope_for(user)
    ctx = {"mine": [], "work": None}
    if scope.person_id:
        ctx["mine"] = list(
            access.visible_cases(user)
            .filter(reporter_id=scope.person_id)
            .select_related("category")
            .order_by("-submitted_at")[:5]
        )
    acting = acting_q(user)
    if acting is not None:
        now = timezone.now()
        working = ~Q(status__in=[*FINAL, Status.RESOLVED, Status.ON_HOLD])
        ctx["work"] = (
            access.visible_cases(user)
            .filter(acting)
            .exclude(status__in=FINAL)
            .aggregate(
                open=Count("pk"),
                new=Count("pk", filter=Q(status=Status.SUBMITTED)),
                overdue=Count("pk", filter=working & Q(resolve_due__lt=now)),
            )
        )
        if access.staff_q(user) is not None:
            ctx["revisits"] = Revisit.objects.filter(done_at__isnull=True, case__in=access.visible_cases(user)).count()
    return ctx
