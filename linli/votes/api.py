"""Owners' votes over the API, under /api/v1/votes.

Every vote is fetched through votes.access (outside the caller's reach is a 404) and every
change goes through votes.services, whose refusals become 409 (the vote's state) or 422 (the
input) with their message. The notice, the result, the published ballot list and the receipt
check need no login.
"""

import contextlib
import datetime as dt
import json
from decimal import Decimal
from typing import Literal

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja import Status as Answer
from ninja.pagination import paginate

from linli.lib.api_support import ApiError, ErrorOut, Pagination, client_ip
from linli.lib.images import clean_photo
from linli.lib.masking import mask_name
from linli.people.models import Organisation, Person
from linli.places.models import Building, Stairwell

from . import access, limits, services
from .models import Elector, Item, Matter, RuleSet, Vote

router = Router(tags=["votes"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@contextlib.contextmanager
def vote_errors():
    try:
        yield
    except services.Closed as exc:
        raise ApiError(409, "closed", exc.message) from None
    except services.VoteError as exc:
        raise ApiError(422, "invalid", exc.message, errors=[{"field": "body", "message": exc.message}]) from None


# --- schemas ------------------------------------------------------------------------------


class CandidateOut(Schema):
    id: int
    name: str
    statement: str


class MatterOut(Schema):
    id: int
    position: int
    kind: str
    item: int
    item_label: str
    title: str
    text: str
    seats: int | None
    term_years: int | None
    candidates: list[CandidateOut]

    @staticmethod
    def resolve_item_label(obj):
        return str(Item(obj.item).label)

    @staticmethod
    def resolve_candidates(obj):
        return list(obj.candidates.all())


class VoteOut(Schema):
    code: str
    title: str
    status: str
    status_label: str
    kind: str
    compound: int
    compound_name: str
    building: int | None
    stairwell: int | None
    opens_at: dt.datetime
    closes_at: dt.datetime
    announced_at: dt.datetime | None
    closed_at: dt.datetime | None
    published_at: dt.datetime | None

    @staticmethod
    def resolve_status_label(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_kind(obj):
        return obj.rules.get("kind") or obj.rule_set.kind

    @staticmethod
    def resolve_compound(obj):
        return obj.compound_id

    @staticmethod
    def resolve_compound_name(obj):
        return obj.compound.name

    @staticmethod
    def resolve_building(obj):
        return obj.building_id

    @staticmethod
    def resolve_stairwell(obj):
        return obj.stairwell_id


class MyHomeOut(Schema):
    home: int
    label: str
    receipt: str | None = Field(None, description="The receipt of this home's ballot, when it has one")
    voted_at: dt.datetime | None = None


class VoteDetailOut(VoteOut):
    description: str
    objection_until: dt.datetime | None
    rules: dict
    matters: list[MatterOut]
    documents: list[dict]
    my_homes: list[MyHomeOut] = Field([], description="Homes you may vote for (as designated voter or proxy)")
    may_manage: bool = False

    @staticmethod
    def resolve_matters(obj):
        return list(obj.matters.prefetch_related("candidates"))

    @staticmethod
    def resolve_documents(obj):
        return [{"title": d.title, "url": d.file.url} for d in obj.documents.all()]


class VoteIn(Schema):
    compound: int
    building: int | None = None
    stairwell: int | None = None
    kind: Literal["assembly", "elevator"] = "assembly"
    title: str
    description: str = ""
    opens_at: dt.datetime
    closes_at: dt.datetime
    organiser: int | None = None


class MatterIn(Schema):
    title: str
    kind: Literal["proposal", "election"] = "proposal"
    item: int = Field(Item.OTHER, description="Civil Code art. 278 item, 1 to 9")
    text: str = ""
    seats: int | None = None
    term_years: int | None = None
    candidates: list[str] = []


class ElectorOut(Schema):
    home: int
    label: str
    floor: int
    area: Decimal | None
    area_source: str
    owners: list[str] = Field(..., description="Masked names")
    voter: str | None = Field(None, description="The designated voter, masked")
    developer_held: bool
    affected: bool
    compensation_agreed: bool
    voted: bool | None = Field(None, description="Only for those who run the vote")


class CorrectionIn(Schema):
    field: Literal["area", "developer_held", "affected", "compensation_agreed", "voter", "add_owner", "remove_owner"]
    value: str | int | bool = Field(..., description="m² for area; true/false; a person id for voter and owners")
    reason: str


class CorrectionOut(Schema):
    home: int
    field: str
    old: str
    new: str
    reason: str
    by: str
    at: dt.datetime

    @staticmethod
    def resolve_home(obj):
        return obj.elector.home_id

    @staticmethod
    def resolve_by(obj):
        return obj.by.display_name()


class BallotIn(Schema):
    homes: list[int] = Field(..., description="The homes to cast for (each must be yours to vote for)")
    choices: dict[str, str | list[int]] = Field(
        ..., description='{"<matter id>": "yes" | "no" | "abstain"} or {"<matter id>": [candidate ids]}'
    )


class ReceiptOut(Schema):
    home: int
    receipt: str
    cast_at: dt.datetime
    changes: int


class PaperOut(Schema):
    entry: int
    counted: bool
    mismatch: bool
    receipt: str | None = None
    message: str


class TurnoutOut(Schema):
    building_id: int
    building: str
    units: int
    cast: int
    area: Decimal
    cast_area: Decimal
    percent: str


class ReceiptIn(Schema):
    receipt: str


class ReceiptStatusOut(Schema):
    status: Literal["current", "counted", "replaced", "unknown"]
    cast_at: dt.datetime | None = None


class ReasonIn(Schema):
    reason: str


# --- helpers ------------------------------------------------------------------------------


def _detail(vote: Vote, user) -> Vote:
    """The vote, with the homes the caller may vote for and whether he runs it."""
    vote.my_homes = []
    if user is not None and vote.status == Vote.Status.OPEN:
        for e in services.electors_for(user, vote):
            ballot = getattr(e, "ballot", None)
            vote.my_homes.append(
                {
                    "home": e.home_id,
                    "label": str(e.home),
                    "receipt": ballot.receipt if ballot else None,
                    "voted_at": ballot.cast_at if ballot else None,
                }
            )
    vote.may_manage = user is not None and access.can_manage(user, vote)
    return vote


def _elector(vote: Vote, home_id: int) -> Elector:
    return get_object_or_404(Elector, vote=vote, home_id=home_id)


def _ballot_choices(raw: str) -> dict:
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        raise ApiError(422, "invalid", _("The ballot is not readable.")) from None
    if not isinstance(value, dict):
        raise ApiError(422, "invalid", _("The ballot is not readable."))
    return value


def _photo(upload, field: str):
    from django.core.exceptions import ValidationError

    try:
        return clean_photo(upload)
    except ValidationError as exc:
        message = exc.messages[0]
        raise ApiError(422, "invalid", message, errors=[{"field": field, "message": message}]) from None


# --- reading --------------------------------------------------------------------------------


class VoteFilter(Schema):
    status: str | None = Field(None, description="draft, announced, open, closed, published or cancelled")
    compound: int | None = None


@router.get("", response={200: list[VoteOut], **ERRORS}, summary="Votes within your reach")
@paginate(Pagination)
def list_votes(request, filters: Query[VoteFilter]):
    """Those who run votes see all of theirs, drafts included; residents see their compound's
    votes from the notice on."""
    qs = access.visible_votes(request.auth).select_related("rule_set")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.compound:
        qs = qs.filter(compound_id=filters.compound)
    return qs.order_by("-opens_at", "-pk")


@router.get("/{code}", response={200: VoteDetailOut, **ERRORS}, summary="One vote, with your homes")
def get_vote(request, code: str):
    vote = access.access_vote(request.auth, code)
    return _detail(vote, request.auth)


@router.get("/{code}/electorate", response={200: list[ElectorOut], **ERRORS}, summary="The frozen electorate")
@paginate(Pagination)
def electorate(request, code: str, home: str | None = None):
    """For those who run the vote and the owners in it (to raise objections). Names masked."""
    vote = access.access_vote(request.auth, code)
    if not access.sees_electorate(request.auth, vote):
        raise ApiError(404, "not_found", _("Not found."))
    manager = access.can_manage(request.auth, vote)
    qs = vote.electorate.select_related("home__stairwell__building", "voter", "ballot").prefetch_related(
        "owners__person"
    )
    if home:
        qs = qs.filter(home__number__icontains=home.strip())
    return [
        {
            "home": e.home_id,
            "label": str(e.home),
            "floor": e.home.floor,
            "area": e.area,
            "area_source": e.area_source,
            "owners": [mask_name(o.person.name) for o in e.owners.all()],
            "voter": mask_name(e.voter.name) if e.voter else None,
            "developer_held": e.developer_held,
            "affected": e.affected,
            "compensation_agreed": e.compensation_agreed,
            "voted": hasattr(e, "ballot") if manager else None,
        }
        for e in qs
    ]


@router.get("/{code}/corrections", response={200: list[CorrectionOut], **ERRORS}, summary="Electorate corrections")
@paginate(Pagination)
def corrections(request, code: str):
    vote = access.access_vote(request.auth, code)
    if not access.sees_electorate(request.auth, vote):
        raise ApiError(404, "not_found", _("Not found."))
    from .models import Correction

    return Correction.objects.filter(elector__vote=vote).select_related("elector", "by__person")


@router.get("/{code}/turnout", response={200: list[TurnoutOut], **ERRORS}, summary="Turnout by building (staff)")
def turnout(request, code: str):
    vote = access.manage_vote(request.auth, code)
    return services.turnout(vote)


# --- running a vote -------------------------------------------------------------------------


@router.post("", response={201: VoteDetailOut, **ERRORS}, summary="Draft a vote (staff)")
def create_vote(request, payload: VoteIn):
    user = request.auth
    compound = access.managed_compounds(user).filter(pk=payload.compound).first()
    if compound is None:
        raise ApiError(404, "not_found", _("Not found."))
    building = stairwell = organiser = None
    if payload.building:
        building = Building.objects.filter(pk=payload.building, compound=compound).first()
        if building is None:
            raise ApiError(422, "invalid", _("That building is not in this compound."))
    if payload.stairwell:
        stairwell = Stairwell.objects.filter(pk=payload.stairwell).first()
        if stairwell is None:
            raise ApiError(422, "invalid", _("That stairwell is not in this building."))
    if payload.organiser:
        organiser = Organisation.objects.filter(pk=payload.organiser).first()
    with vote_errors():
        vote = services.create_vote(
            user=user,
            compound=compound,
            building=building,
            stairwell=stairwell,
            organiser=organiser,
            kind=RuleSet.Kind(payload.kind),
            title=payload.title,
            description=payload.description,
            opens_at=payload.opens_at,
            closes_at=payload.closes_at,
        )
    return Answer(201, _detail(vote, user))


@router.post("/{code}/matters", response={201: MatterOut, **ERRORS}, summary="Add a matter to a draft (staff)")
def add_matter(request, code: str, payload: MatterIn):
    vote = access.manage_vote(request.auth, code)
    with vote_errors():
        matter = services.add_matter(
            vote=vote,
            title=payload.title,
            kind=Matter.Kind(payload.kind),
            item=payload.item,
            text=payload.text,
            seats=payload.seats,
            term_years=payload.term_years,
            candidates=payload.candidates,
        )
    return Answer(201, matter)


@router.post("/{code}/documents", response={201: dict, **ERRORS}, summary="Attach a document (staff)")
def add_document(request, code: str, title: Form[str], file: File[UploadedFile]):
    """PDF, JPEG, PNG, Word or Excel, up to 20 MB, until voting opens."""
    vote = access.manage_vote(request.auth, code)
    with vote_errors():
        document = services.add_document(vote=vote, title=title, upload=file)
    return Answer(201, {"title": document.title, "url": document.file.url})


def _step(request, code: str, step: str, **kw):
    vote = access.manage_vote(request.auth, code)
    with vote_errors():
        if step == "announce":
            vote = services.announce(vote=vote, user=request.auth)
        elif step == "open":
            vote = services.open_vote(vote=vote)
        elif step == "close":
            vote = services.close(vote=vote)
        elif step == "publish":
            vote = services.publish(vote=vote)
        else:
            vote = services.cancel(vote=vote, reason=kw.get("reason", ""))
    return _detail(vote, request.auth)


@router.post("/{code}/announce", response={200: VoteDetailOut, **ERRORS}, summary="Publish the notice (staff)")
def announce(request, code: str):
    """Freezes the rule set and the electorate; voting must open at least the rule set's
    notice period later (15 days by default)."""
    return _step(request, code, "announce")


@router.post("/{code}/open", response={200: VoteDetailOut, **ERRORS}, summary="Open voting (staff)")
def open_vote(request, code: str):
    return _step(request, code, "open")


@router.post("/{code}/close", response={200: VoteDetailOut, **ERRORS}, summary="Close voting and count (staff)")
def close_vote(request, code: str):
    """Atomic: a ballot being cast finishes first; nothing cast afterwards counts."""
    return _step(request, code, "close")


@router.post("/{code}/publish", response={200: VoteDetailOut, **ERRORS}, summary="Publish the result (staff)")
def publish_vote(request, code: str):
    return _step(request, code, "publish")


@router.post("/{code}/cancel", response={200: VoteDetailOut, **ERRORS}, summary="Cancel the vote (staff)")
def cancel_vote(request, code: str, payload: ReasonIn):
    return _step(request, code, "cancel", reason=payload.reason)


@router.post(
    "/{code}/electorate/{home}/corrections",
    response={201: CorrectionOut, **ERRORS},
    summary="Correct the electorate, with a reason (staff)",
)
def correct(request, code: str, home: int, payload: CorrectionIn):
    vote = access.manage_vote(request.auth, code)
    value = payload.value
    if payload.field in ("developer_held", "affected", "compensation_agreed") and isinstance(value, str):
        value = {"true": True, "false": False}.get(value.lower(), value)
    if payload.field in ("voter", "add_owner", "remove_owner"):
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ApiError(422, "invalid", _("No such person.")) from None
    with vote_errors():
        return Answer(
            201,
            services.correct(
                elector=_elector(vote, home), user=request.auth, field=payload.field, value=value, reason=payload.reason
            ),
        )


@router.post("/{code}/proxies", response={201: dict, **ERRORS}, summary="Record a proxy's written authorisation")
def record_proxy(
    request,
    code: str,
    home: Form[int],
    name: Form[str],
    document: File[UploadedFile],
    person: Form[int | None] = None,
):
    vote = access.manage_vote(request.auth, code)
    proxy_person = Person.objects.filter(pk=person).first() if person else None
    with vote_errors():
        proxy = services.record_proxy(
            elector=_elector(vote, home), user=request.auth, name=name, document=document, person=proxy_person
        )
    return Answer(201, {"home": home, "name": proxy.name})


# --- ballots ---------------------------------------------------------------------------------


@router.post("/{code}/ballots", response={201: list[ReceiptOut], **ERRORS}, summary="Cast or change your ballot")
def cast(request, code: str, payload: BallotIn):
    """One ballot per home; casting again before closing replaces it (the history is kept, the
    last counts). Each home's answer carries a new receipt code: keep it to check the result."""
    vote = access.access_vote(request.auth, code)
    if not payload.homes:
        raise ApiError(422, "invalid", _("Choose the homes to vote for."))
    electors = {e.home_id: e for e in vote.electorate.filter(home_id__in=payload.homes)}
    out = []
    with vote_errors(), transaction.atomic():  # a refusal for one home casts for none
        for home in dict.fromkeys(payload.homes):
            if home not in electors:
                raise services.VoteError(_("That home is not in this vote's electorate."))
            ballot = services.cast_online(vote=vote, user=request.auth, elector=electors[home], choices=payload.choices)
            out.append({"home": home, "receipt": ballot.receipt, "cast_at": ballot.cast_at, "changes": ballot.changes})
    return Answer(201, out)


@router.post("/{code}/paper", response={201: PaperOut, **ERRORS}, summary="Enter a signed paper ballot (staff)")
def enter_paper(
    request,
    code: str,
    home: Form[int],
    choices: Form[str],
    photo: File[UploadedFile],
    voter: Form[int | None] = None,
    by_proxy: Form[bool] = False,
):
    """Each paper ballot is entered by two different workers; it counts when both entries agree.
    `choices` is the ballot as JSON, as for POST /ballots."""
    vote = access.manage_vote(request.auth, code)
    elector = _elector(vote, home)
    signer = Person.objects.filter(pk=voter).first() if voter else None
    if voter and signer is None:
        raise ApiError(422, "invalid", _("The ballot must be signed by an owner of the home."))
    cleaned = _photo(photo, "photo")
    with vote_errors():
        entry, ballot = services.enter_paper(
            vote=vote,
            elector=elector,
            user=request.auth,
            voter=signer,
            choices=_ballot_choices(choices),
            photo=cleaned,
            by_proxy=by_proxy,
        )
    if ballot:
        message = _("Both entries agree: the ballot counts.")
    elif entry.mismatch:
        message = _("This entry differs from an earlier one: check the paper ballot and enter it again.")
    else:
        message = _("Entered. A second worker must enter the same ballot before it counts.")
    return Answer(
        201,
        {
            "entry": entry.pk,
            "counted": ballot is not None,
            "mismatch": entry.mismatch,
            "receipt": ballot.receipt if ballot else None,
            "message": message,
        },
    )


# --- public: notice, result, ballot list, receipt check -------------------------------------


@router.get("/{code}/notice", auth=None, response={200: VoteDetailOut, 404: ErrorOut}, summary="A vote's notice")
def notice(request, code: str):
    return _detail(access.public_vote(code), None)


@router.get("/{code}/result", auth=None, response={200: dict, 404: ErrorOut, 409: ErrorOut}, summary="The result")
def result(request, code: str):
    """The four ratios per matter and candidate (areas in hundredths of m²; percentages cut to
    two decimals), pass or fail under the rules frozen at the notice, and the head of the hash
    chain over all ballots."""
    vote = access.public_vote(code)
    if vote.status not in (Vote.Status.CLOSED, Vote.Status.PUBLISHED):
        raise ApiError(409, "not_closed", _("The result is published once voting has closed."))
    return {"code": vote.code, "status": vote.status, "rules": vote.rules, **vote.result}


@router.get(
    "/{code}/ballots.txt",
    auth=None,
    response={200: str, 404: ErrorOut, 409: ErrorOut},
    summary="All ballots",
    openapi_extra={"responses": {200: {"content": {"text/plain": {"schema": {"type": "string"}}}}}},
)
def ballot_lines(request, code: str):
    """One line per counted ballot: `receipt|owner token|area|flag|choices`, sorted, hash-chained
    (see the result's chain head); enough to find your receipt and recompute the totals."""
    vote = access.public_vote(code)
    with vote_errors():
        lines = services.published_lines(vote)
    return HttpResponse("\n".join(lines) + ("\n" if lines else ""), content_type="text/plain; charset=utf-8")


@router.get(
    "/{code}/result.pdf", auth=None, response={200: bytes, 404: ErrorOut, 409: ErrorOut}, summary="Result notice"
)
def result_notice(request, code: str):
    """The result notice (表决结果公告) to post in the compound, in Chinese, with a QR code to the
    result page."""
    from django.urls import reverse

    from .announcement import result_pdf

    vote = access.public_vote(code)
    if vote.status not in (Vote.Status.CLOSED, Vote.Status.PUBLISHED):
        raise ApiError(409, "not_closed", _("The result is published once voting has closed."))
    url = request.build_absolute_uri(reverse("vote_public:result", args=[vote.code]))
    response = HttpResponse(result_pdf(vote, url=url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="vote-{vote.code}-result.pdf"'
    return response


@router.post("/{code}/receipt", auth=None, response={200: ReceiptStatusOut, **ERRORS}, summary="Check a receipt")
def check_receipt(request, code: str, payload: ReceiptIn):
    vote = access.public_vote(code)
    if not limits.receipt_check_allowed(client_ip(request)):
        raise ApiError(429, "too_many", _("Too many checks from this address: try again in an hour."))
    return services.receipt_status(vote, payload.receipt)
