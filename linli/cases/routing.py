"""Which organisation must act on a case: the compound's routing table, else the kind of
organisation the category names (the property company serving the compound today, the
compound's owners' committee or association…), else the community's residents' committee."""

from __future__ import annotations

from django.db.models import Q

from linli.people.models import Organisation, PropertyServicePeriod

from .models import Case, RoutingRule

K = Organisation.Kind
COMPOUND_KINDS = {K.OWNERS_COMMITTEE, K.ASSOCIATION, K.SELF_GOVERNANCE, K.PARTY_BRANCH}
COMMUNITY_KINDS = {K.RESIDENTS_COMMITTEE, K.PARTY_COMMITTEE}


def route(case: Case) -> Organisation | None:
    rules = {
        r.category_id: r.organisation
        for r in RoutingRule.objects.filter(
            Q(category_id=case.category_id) | Q(category__isnull=True), compound_id=case.compound_id
        ).select_related("organisation")
    }
    return (
        rules.get(case.category_id)
        or rules.get(None)
        or by_kind(case, case.category.handler_kind)
        or by_kind(case, K.RESIDENTS_COMMITTEE)
    )


def by_kind(case: Case, kind: str) -> Organisation | None:
    if kind == K.PROPERTY_COMPANY:
        period = (
            PropertyServicePeriod.objects.active()
            .filter(compound_id=case.compound_id)
            .select_related("company")
            .order_by("-start")
            .first()
        )
        return period.company if period else None
    if kind in COMPOUND_KINDS:
        return Organisation.objects.filter(kind=kind, compound_id=case.compound_id).order_by("pk").first()
    if kind in COMMUNITY_KINDS:
        return (
            Organisation.objects.filter(kind=kind, community_id=case.community_id, compound__isnull=True)
            .order_by("pk")
            .first()
        )
    return None


def serves(organisation: Organisation, case: Case) -> bool:
    """Whether an organisation may be handed this case: one of the compound's own, the
    community's, the property company serving the compound today, or a government department."""
    kind = organisation.kind
    if kind == K.DEPARTMENT:
        return True
    if kind == K.PROPERTY_COMPANY:
        return (
            PropertyServicePeriod.objects.active().filter(company=organisation, compound_id=case.compound_id).exists()
        )
    if organisation.compound_id:
        return organisation.compound_id == case.compound_id
    if organisation.community_id:
        return organisation.community_id == case.community_id
    return kind == K.SUBDISTRICT_OFFICE and organisation.subdistrict_id == case.community.subdistrict_id
