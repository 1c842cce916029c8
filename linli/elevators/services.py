"""Writes for elevator projects: start one after the consent vote, edit the plan, adopt it (the
shares are then frozen), record milestones and the maintenance plan. Plain functions with
keyword-only arguments; each refusal is an ElevatorError with a translated .message and
nothing changed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.places.models import Home, Stairwell
from linli.votes.models import RuleSet, Vote

from .defaults import default_scheme
from .models import CostShare, ElevatorProject, MaintenancePlan, Milestone
from .sharing import HomeIn, Share, SharingError, parse_coefficient, share_costs

MAX_TOTAL_FEN = 10**12  # ten billion yuan: a typo, not an elevator


class ElevatorError(Exception):
    """A refusal: .message for the user, .status_code for the API, .field naming the input at fault."""

    def __init__(self, message: str, status_code: int = 400, field: str = ""):
        self.message, self.status_code, self.field = message, status_code, field
        super().__init__(message)


def home_label(home: Home) -> str:
    """栋 / 单元 / 号, as the agreement lists a home."""
    return f"{home.stairwell.building.name} {home.stairwell.name} {home.number}"


def _check_total(total_fen) -> int:
    if isinstance(total_fen, bool) or not isinstance(total_fen, int):
        raise ElevatorError(_("The total cost must be a whole number of fen."), field="total_fen")
    if total_fen <= 0:
        raise ElevatorError(_("The total cost must be more than zero."), field="total_fen")
    if total_fen > MAX_TOTAL_FEN:
        raise ElevatorError(_("The total cost is implausibly large; check the amount."), field="total_fen")
    return total_fen


def _check_coefficients(coefficients) -> dict[str, str]:
    if not isinstance(coefficients, dict) or not coefficients:
        raise ElevatorError(_("Give a coefficient for each floor."), field="coefficients")
    clean = {}
    for floor, value in coefficients.items():
        try:
            number = int(str(floor))
        except ValueError:
            raise ElevatorError(
                _("Floors are numbered: %(floor)s is not a floor.") % {"floor": floor}, field="coefficients"
            ) from None
        try:
            clean[str(number)] = str(parse_coefficient(value, number))
        except SharingError as exc:
            raise ElevatorError(exc.message, field="coefficients") from None
    return dict(sorted(clean.items(), key=lambda kv: int(kv[0])))


def _consent_ok(vote: Vote, stairwell: Stairwell) -> None:
    if vote.stairwell_id != stairwell.pk:
        raise ElevatorError(_("The consent vote must be a vote of this stairwell."), field="consent_vote")
    if vote.rule_set.kind != RuleSet.Kind.ELEVATOR:
        raise ElevatorError(_("The consent vote must be an elevator consent vote."), field="consent_vote")
    matters = (vote.result or {}).get("matters") or []
    if vote.status != Vote.Status.PUBLISHED or not matters or not all(m.get("passed") for m in matters):
        raise ElevatorError(_("The consent vote has no published result in favour yet."), field="consent_vote")


def create_project(
    *, user, stairwell: Stairwell, title: str, consent_vote: Vote | None = None, total_fen: int | None = None
) -> ElevatorProject:
    """A project in planning, with the example coefficients for the stairwell's floors and the six
    milestones; the consent milestone is done on the day the consent vote's result was published."""
    title = (title or "").strip()
    if not title:
        raise ElevatorError(_("Give the project a title."), field="title")
    if consent_vote is not None:
        _consent_ok(consent_vote, stairwell)
    if total_fen is not None:
        _check_total(total_fen)
    floors = set(Home.objects.filter(stairwell=stairwell).values_list("floor", flat=True))
    if not floors:
        raise ElevatorError(_("This stairwell has no homes registered."), field="stairwell")
    floors.add(1)
    with transaction.atomic():
        project = ElevatorProject.objects.create(
            stairwell=stairwell,
            consent_vote=consent_vote,
            title=title[:120],
            total_fen=total_fen,
            coefficients=default_scheme(floors),
            created_by=user,
        )
        done = timezone.localdate(consent_vote.published_at) if consent_vote and consent_vote.published_at else None
        Milestone.objects.bulk_create(
            Milestone(project=project, kind=kind, actual=done if kind == Milestone.Kind.CONSENT else None)
            for kind in Milestone.ORDER
        )
    return project


def homes_for(project: ElevatorProject) -> list[HomeIn]:
    """Every home of the stairwell, with the area the owners voted with where there was a consent
    vote (the frozen, corrected electorate), else the registry's."""
    homes = list(
        Home.objects.filter(stairwell_id=project.stairwell_id)
        .select_related("stairwell__building")
        .order_by("floor", "number", "pk")
    )
    voted = {}
    if project.consent_vote_id:
        voted = dict(project.consent_vote.electorate.exclude(area=None).values_list("home_id", "area"))
    return [HomeIn(key=h.pk, floor=h.floor, area=voted.get(h.pk, h.area), label=home_label(h)) for h in homes]


def preview(*, project: ElevatorProject, total_fen: int | None = None, coefficients: dict | None = None) -> list[Share]:
    """The shares the plan (or the given total and coefficients) would give; raises ElevatorError."""
    total = project.total_fen if total_fen is None else total_fen
    if total is None:
        raise ElevatorError(_("Enter the total cost first."), field="total_fen")
    _check_total(total)
    table = _check_coefficients(project.coefficients if coefficients is None else coefficients)
    try:
        return share_costs(total=total, homes=homes_for(project), coefficients={int(k): v for k, v in table.items()})
    except SharingError as exc:
        raise ElevatorError(exc.message, field="coefficients") from None


def set_plan(*, project: ElevatorProject, total_fen: int, coefficients: dict) -> ElevatorProject:
    with transaction.atomic():
        # Locked so an edit cannot slip in while someone adopts the plan.
        project = ElevatorProject.objects.select_for_update().get(pk=project.pk)
        if not project.is_editable:
            raise ElevatorError(_("The cost sharing has been adopted and can no longer be changed."), 409)
        project.total_fen = _check_total(total_fen)
        project.coefficients = _check_coefficients(coefficients)
        project.save(update_fields=["total_fen", "coefficients"])
    return project


def adopt(
    *, project: ElevatorProject, user, total_fen: int | None = None, coefficients: dict | None = None, now=None
) -> ElevatorProject:
    """Freeze the shares as the plan stands (or with the total and coefficients given, saved in the
    same transaction): one CostShare per home, summing to the total. Nothing is saved if it fails."""
    now = now or timezone.now()
    with transaction.atomic():
        # Two people pressing "adopt" at once: the second waits here, then finds it adopted.
        project = ElevatorProject.objects.select_for_update().get(pk=project.pk)
        if not project.is_editable:
            raise ElevatorError(_("The cost sharing has already been adopted."), 409)
        if total_fen is not None:
            project.total_fen = _check_total(total_fen)
        if coefficients is not None:
            project.coefficients = _check_coefficients(coefficients)
        shares = preview(project=project)
        try:
            CostShare.objects.bulk_create(
                CostShare(
                    project=project,
                    home_id=s.key,
                    floor=s.floor,
                    area=s.area,
                    coefficient=s.coefficient,
                    amount_fen=s.amount,
                )
                for s in shares
            )
        except IntegrityError:
            raise ElevatorError(_("The cost sharing has already been adopted."), 409) from None
        project.status = ElevatorProject.Status.ADOPTED
        project.adopted_at, project.adopted_by = now, user
        project.save(update_fields=["status", "adopted_at", "adopted_by", "total_fen", "coefficients"])
    return project


def frozen_shares(project: ElevatorProject):
    return project.shares.select_related("home__stairwell__building").order_by("floor", "home__number", "home_id")


def update_milestone(
    *,
    project: ElevatorProject,
    kind: str,
    planned: dt.date | None,
    actual: dt.date | None,
    notes: str = "",
    evidence=None,
    today: dt.date | None = None,
) -> Milestone:
    today = today or timezone.localdate()
    if kind not in Milestone.ORDER:
        raise ElevatorError(_("Unknown milestone."), 404)
    if actual is not None and actual > today:
        raise ElevatorError(_("A milestone cannot be done on a day still to come."), field="actual")
    with transaction.atomic():
        project = ElevatorProject.objects.select_for_update().get(pk=project.pk)
        if kind == Milestone.Kind.IN_SERVICE and actual is not None and project.is_editable:
            raise ElevatorError(_("Adopt the cost sharing before the elevator goes into service."), field="actual")
        milestone, _created = Milestone.objects.get_or_create(project=project, kind=kind)
        milestone.planned, milestone.actual, milestone.notes = planned, actual, (notes or "").strip()
        if evidence is not None:
            milestone.evidence = evidence
        milestone.save()
        if kind == Milestone.Kind.IN_SERVICE:
            status = project.Status.IN_SERVICE if actual else project.Status.ADOPTED
            if project.status != status and project.status != project.Status.PLANNING:
                project.status = status
                project.save(update_fields=["status"])
    return milestone


def set_maintenance(
    *, project: ElevatorProject, yearly_fen: int, sharing: str, collector: str, notes: str = ""
) -> MaintenancePlan:
    if isinstance(yearly_fen, bool) or not isinstance(yearly_fen, int) or yearly_fen <= 0:
        raise ElevatorError(_("The yearly maintenance cost must be more than zero."), field="yearly_fen")
    if yearly_fen > MAX_TOTAL_FEN:
        raise ElevatorError(_("The total cost is implausibly large; check the amount."), field="yearly_fen")
    if sharing not in MaintenancePlan.Sharing.values:
        raise ElevatorError(_("Choose how the maintenance cost is shared."), field="sharing")
    collector = (collector or "").strip()
    if not collector:
        raise ElevatorError(_("Say who collects the maintenance cost."), field="collector")
    plan, _created = MaintenancePlan.objects.update_or_create(
        project=project,
        defaults={"yearly_fen": yearly_fen, "sharing": sharing, "collector": collector[:80], "notes": notes.strip()},
    )
    return plan


def maintenance_shares(project: ElevatorProject) -> list[Share]:
    """Each home's yearly maintenance: by the building-cost weights, or equally among the homes
    whose building-cost coefficient is above zero (those the elevator serves)."""
    plan = MaintenancePlan.objects.filter(project=project).first()
    if plan is None:
        return []
    if project.status == project.Status.PLANNING:
        homes = homes_for(project)
        table = {int(k): Decimal(v) for k, v in _check_coefficients(project.coefficients).items()}
    else:
        rows = list(frozen_shares(project))
        homes = [HomeIn(key=r.home_id, floor=r.floor, area=r.area, label=home_label(r.home)) for r in rows]
        table = {r.floor: r.coefficient for r in rows}
    if plan.sharing == MaintenancePlan.Sharing.EQUAL:
        homes = [HomeIn(key=h.key, floor=h.floor, area=Decimal(1), label=h.label) for h in homes]
        table = {floor: Decimal(1) if c > 0 else Decimal(0) for floor, c in table.items()}
    try:
        return share_costs(total=plan.yearly_fen, homes=homes, coefficients=table)
    except SharingError as exc:
        raise ElevatorError(exc.message) from None
