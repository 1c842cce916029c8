"""The pages of those who run a vote (access.manage_vote; anyone else gets 404): set it up,
announce, open, close, publish or cancel it; hear objections to the electorate; record
proxies; enter paper ballots twice; watch turnout by building.

Every write is a call into services.py; its VoteError message is shown and nothing changes."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from linli.lib import exports
from linli.lib.masking import mask_name

from . import access, services
from .forms import (
    CancelForm,
    CorrectionForm,
    DocumentForm,
    HomeSearchForm,
    MatterForm,
    PaperForm,
    ProxyForm,
    VoteForm,
    find_person,
    home_label,
)
from .models import Correction, Owner, PaperEntry, Vote
from .services import VoteError
from .views import ballot_of, matters_of, voting_now

S = Vote.Status
PER_PAGE = 30  # each row carries its correction form: 30 keep the page well under 100 KB
T = "votes/staff/"


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _electors(vote):
    """The electorate with what its rows show, in a fixed number of queries."""
    return vote.electorate.select_related("home__stairwell__building", "voter", "proxy").prefetch_related(
        Prefetch("owners", queryset=Owner.objects.select_related("person").order_by("pk"))
    )


def _elector(vote, pk):
    try:
        return _electors(vote).get(pk=pk)
    except vote.electorate.model.DoesNotExist:
        raise Http404 from None


# --- a new vote --------------------------------------------------------------------------


def _compound_from(request, compounds):
    raw = request.POST.get("compound") or request.GET.get("compound") or ""
    return compounds.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 12 else None


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    user = request.user
    compounds = access.managed_compounds(user)
    if not compounds.exists():
        raise Http404
    compound = _compound_from(request, compounds)
    status, error = 200, ""
    if request.method == "POST" and "show" not in request.POST:
        form = VoteForm(request.POST, compounds=compounds, compound=compound)
        if form.is_valid():
            d = form.cleaned_data
            try:
                vote = services.create_vote(
                    user=user, compound=d["compound"], title=d["title"], description=d["description"],
                    kind=d["kind"], building=d["building"], stairwell=d["stairwell"], opens_at=d["opens_at"],
                    closes_at=d["closes_at"],
                )  # fmt: skip
            except VoteError as exc:
                error, status = exc.message, exc.status_code
            else:
                messages.success(request, _("The vote is drafted. Add its matters, then announce it."))
                return redirect("votes:manage", code=vote.code)
        else:
            status = 400
    else:
        # A press of "Show its buildings" (without JavaScript) only redraws the form, as typed.
        initial = request.POST.dict() if request.method == "POST" else None
        form = VoteForm(compounds=compounds, compound=compound, initial=initial)
    return render(request, T + "new.html", {"form": form, "error": error}, status=status)


@login_required
def new_places(request):
    """htmx partial: the buildings and stairwells of the chosen compound."""
    compounds = access.managed_compounds(request.user)
    compound = _compound_from(request, compounds)
    if compound is None:
        raise Http404
    return render(request, T + "_places.html", {"form": VoteForm(compounds=compounds, compound=compound)})


# --- running a vote ------------------------------------------------------------------------


def render_manage(request, vote, *, error="", status=200, matter_form=None, document_form=None, cancel_form=None):
    vote.refresh_from_db()  # after a refusal, show the vote as it stands
    draft = vote.status == S.DRAFT
    ctx = {
        "vote": vote,
        "error": error,
        "matters": matters_of(vote),
        "documents": list(vote.documents.all()),
        "matter_form": (matter_form or MatterForm(prefix="matter")) if draft else None,
        # services.add_document: documents are added before voting opens.
        "document_form": (document_form or DocumentForm(prefix="doc"))
        if vote.status in (S.DRAFT, S.ANNOUNCED)
        else None,
        "cancel_form": cancel_form or CancelForm(prefix="cancel"),
        "notice_days": vote.rules.get("notice_days") if vote.rules else vote.rule_set.notice_days,
        "units": vote.electorate.count(),
        "ballots": vote.ballots.count(),
        "voting": voting_now(vote),
        "mismatches": PaperEntry.objects.filter(vote=vote, mismatch=True, counted=False).count(),
    }
    return render(request, T + "manage.html", ctx, status=status)


@login_required
def manage(request, code):
    return render_manage(request, access.manage_vote(request.user, code))


@login_required
@require_POST
def add_matter(request, code):
    vote = access.manage_vote(request.user, code)
    form = MatterForm(request.POST, prefix="matter")
    if not form.is_valid():
        return render_manage(request, vote, matter_form=form, status=400)
    d = form.cleaned_data
    try:
        services.add_matter(
            vote=vote, title=d["title"], item=d["item"], kind=d["kind"], text=d["text"], seats=d["seats"],
            term_years=d["term_years"], candidates=form.candidate_names(),
        )  # fmt: skip
    except VoteError as exc:
        form.add_error(None, exc.message)
        return render_manage(request, vote, matter_form=form, status=exc.status_code)
    messages.success(request, _("Matter added."))
    return redirect("votes:manage", code=vote.code)


@login_required
@require_POST
def add_document(request, code):
    vote = access.manage_vote(request.user, code)
    form = DocumentForm(request.POST, request.FILES, prefix="doc")
    if not form.is_valid():
        return render_manage(request, vote, document_form=form, status=400)
    try:
        services.add_document(vote=vote, title=form.cleaned_data["title"], upload=form.cleaned_data["file"])
    except VoteError as exc:
        form.add_error(None, exc.message)
        return render_manage(request, vote, document_form=form, status=exc.status_code)
    messages.success(request, _("Document added."))
    return redirect("votes:manage", code=vote.code)


ACTIONS = {
    "announce": (
        lambda vote, user, data: services.announce(vote=vote, user=user),
        gettext_lazy("The notice is published."),
    ),
    "open": (lambda vote, user, data: services.open_vote(vote=vote), gettext_lazy("Voting is open.")),
    "close": (lambda vote, user, data: services.close(vote=vote), gettext_lazy("Voting is closed and counted.")),
    "publish": (lambda vote, user, data: services.publish(vote=vote), gettext_lazy("The result is published.")),
    "cancel": (
        lambda vote, user, data: services.cancel(vote=vote, reason=data.get("reason", "")),
        gettext_lazy("Cancelled."),
    ),
}


@login_required
@require_POST
def act(request, code, action):
    vote = access.manage_vote(request.user, code)
    if action not in ACTIONS:
        raise Http404
    run, done = ACTIONS[action]
    cancel_form = CancelForm(request.POST, prefix="cancel") if action == "cancel" else None
    data = cancel_form.cleaned_data if cancel_form is not None and cancel_form.is_valid() else {}
    try:
        run(vote, request.user, data)
    except VoteError as exc:
        return render_manage(request, vote, error=exc.message, status=exc.status_code, cancel_form=cancel_form)
    messages.success(request, str(done))
    return redirect("votes:manage", code=vote.code)


# --- the electorate ------------------------------------------------------------------------


def _row(elector):
    owners = list(elector.owners.all())
    return {
        "elector": elector,
        "owners": [mask_name(o.person.name) for o in owners],
        "voter": mask_name(elector.voter.name) if elector.voter_id else "",
        "proxy": elector.proxy if _has_proxy(elector) else None,
    }


def _has_proxy(elector) -> bool:
    try:
        return elector.proxy is not None
    except ObjectDoesNotExist:  # no proxy recorded
        return False


def _correctable(vote) -> bool:
    return vote.status in (S.ANNOUNCED, S.OPEN)


def _listed_electors(request, code):
    """The electorate page's rows for its search (the page and its Excel export), or 404 for
    those who may not see it: (vote, search form, electors, query)."""
    vote = access.access_vote(request.user, code)
    if not access.sees_electorate(request.user, vote):
        raise Http404
    search = HomeSearchForm(request.GET)
    rows = _electors(vote)
    q = search.cleaned_data.get("q", "").strip() if search.is_valid() else ""
    if q:
        rows = rows.filter(home__number__startswith=q)
    return vote, search, rows, q


@login_required
def electorate_export(request, code):
    """The electorate as on its page (owners' and voters' names masked), every home."""
    vote, _search, rows, _q = _listed_electors(request, code)
    sources = dict(rows.model._meta.get_field("area_source").choices)

    def votes_for(e):
        row = _row(e)
        proxy = f" ({_('proxy')}: {row['proxy'].name})" if row["proxy"] else ""
        return (row["voter"] or "—") + proxy

    columns = [
        (_("Building"), lambda e: e.home.stairwell.building.name),
        (_("Stairwell"), lambda e: e.home.stairwell.name),
        (_("Home"), lambda e: e.home.number),
        (_("Area (m²)"), lambda e: e.area),
        (_("Area source"), lambda e: str(sources.get(e.area_source, e.area_source))),
        (_("Owners"), lambda e: "、".join(_row(e)["owners"]) + (f" ({_('developer')})" if e.developer_held else "")),
        (_("Votes"), votes_for),
        (_("Affected"), lambda e: _("yes") if e.affected else _("no")),
        (_("Compensation"), lambda e: _("agreed") if e.compensation_agreed else ""),
    ]
    return exports.export_list(
        request,
        key="vote_electorate",
        title=f"{vote.title} · {_('The electorate')}",
        queryset=rows,
        columns=columns,
        back=reverse("votes:electorate", args=[vote.code]),
        filters=exports.filters_of(request) | {"vote": vote.code},
    )


@login_required
def electorate(request, code, *, bound=None, error="", status=200):
    """The frozen electorate: for those who run the vote (with a correction form per row) and
    the owners in it, to raise objections."""
    user = request.user
    vote, search, rows, q = _listed_electors(request, code)
    manages = access.can_manage(user, vote)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    correctable = manages and _correctable(vote)
    voting = vote.status == S.OPEN
    items = []
    for e in page.object_list:
        row = _row(e)
        if correctable:
            row["form"] = (
                bound if bound is not None and bound.elector.pk == e.pk else CorrectionForm(elector=e, voting=voting)
            )
        items.append(row)
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "vote": vote,
        "page": page,
        "rows": items,
        "search": search,
        "query": query.urlencode(),
        "back_q": q,
        "manages": manages,
        "correctable": correctable,
        "error": error,
        "corrections": _corrections(vote) if manages else [],
    }
    return render(request, T + "electorate.html", ctx, status=status)


def _corrections(vote, limit=50):
    return list(
        Correction.objects.filter(elector__vote=vote).select_related(
            "elector__home__stairwell__building", "by__person"
        )[:limit]
    )


@login_required
@require_POST
def correct(request, code, pk):
    user = request.user
    vote = access.manage_vote(user, code)
    elector = _elector(vote, pk)
    form = CorrectionForm(request.POST, elector=elector)
    from_elector = request.POST.get("next") == "elector"
    if not form.is_valid():
        if from_elector:
            return render_elector(request, vote, elector, correct_form=form, status=400)
        return electorate(request, code, bound=form, status=400)
    try:
        services.correct(
            elector=elector,
            user=user,
            field=form.cleaned_data["field"],
            value=form.service_value(user),
            reason=form.cleaned_data["reason"],
        )
    except VoteError as exc:
        if from_elector:
            return render_elector(request, vote, elector, correct_form=form, error=exc.message, status=exc.status_code)
        # The row's form keeps what was typed; the message goes atop the list, where it is seen
        # even when the row is on another page of it.
        return electorate(request, code, bound=form, error=exc.message, status=exc.status_code)
    messages.success(request, _("%(home)s corrected.") % {"home": home_label(elector.home)})
    if from_elector:
        return redirect("votes:elector", code=vote.code, pk=elector.pk)
    # Back to the same page of the list, with the same search.
    back = {k: request.POST[k] for k in ("q", "page") if request.POST.get(k, "").strip()}
    return redirect(reverse("votes:electorate", args=[vote.code]) + ("?" + urlencode(back) if back else ""))


def render_elector(
    request, vote, elector, *, proxy_form=None, paper_form=None, correct_form=None, error="", status=200
):
    entries = list(
        PaperEntry.objects.filter(elector=elector).select_related("entered_by__person").order_by("batch", "pk")
    )
    ctx = {
        "vote": vote,
        "row": _row(elector),
        "elector": elector,
        "error": error,
        "entries": entries,
        "corrections": list(Correction.objects.filter(elector=elector).select_related("by__person")),
        "proxy_form": (proxy_form or ProxyForm(prefix="proxy"))
        if vote.status in (S.ANNOUNCED, S.OPEN) and not _has_proxy(elector)
        else None,
        "paper_form": (paper_form or PaperForm(elector=elector, matters=matters_of(vote), prefix="paper"))
        if voting_now(vote) and elector.owners.exists()
        else None,
        "ballot": ballot_of(elector),
        "correct_form": (correct_form or CorrectionForm(elector=elector, voting=vote.status == S.OPEN))
        if _correctable(vote)
        else None,
    }
    return render(request, T + "elector.html", ctx, status=status)


@login_required
def elector_page(request, code, pk):
    vote = access.manage_vote(request.user, code)
    return render_elector(request, vote, _elector(vote, pk))


@login_required
@require_POST
def proxy(request, code, pk):
    user = request.user
    vote = access.manage_vote(user, code)
    elector = _elector(vote, pk)
    form = ProxyForm(request.POST, request.FILES, prefix="proxy")
    if not form.is_valid():
        return render_elector(request, vote, elector, proxy_form=form, status=400)
    person = None
    if phone := form.cleaned_data["phone"].strip():
        person = find_person(user, phone)
        if person is None:
            form.add_error("phone", _("No registered resident within your reach has this mobile number."))
            return render_elector(request, vote, elector, proxy_form=form, status=400)
    try:
        services.record_proxy(
            elector=elector, user=user, name=form.cleaned_data["name"], document=form.cleaned_data["document"],
            person=person,
        )  # fmt: skip
    except VoteError as exc:
        form.add_error(None, exc.message)
        return render_elector(request, vote, elector, proxy_form=form, status=exc.status_code)
    messages.success(request, _("The proxy is recorded."))
    return redirect("votes:elector", code=vote.code, pk=elector.pk)


def _private_file(field):
    """A stored authorisation or ballot photo, for those who run the vote only."""
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    pdf = field.name.lower().endswith(".pdf")  # PDFs or photos re-encoded as JPEG (forms.check_document)
    response = FileResponse(handle, content_type="application/pdf" if pdf else "image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def proxy_document(request, code, pk):
    vote = access.manage_vote(request.user, code)
    elector = _elector(vote, pk)
    if not _has_proxy(elector):
        raise Http404
    return _private_file(elector.proxy.document)


# --- paper ballots ------------------------------------------------------------------------


@login_required
def paper(request, code):
    """Find the home of a paper ballot by its number; the entries flagged as mismatches."""
    user = request.user
    vote = access.manage_vote(user, code)
    search = HomeSearchForm(request.GET)
    q = search.cleaned_data.get("q", "").strip() if search.is_valid() else ""
    found = list(_electors(vote).filter(home__number=q)[:30]) if q else []
    flagged = list(
        PaperEntry.objects.filter(vote=vote, mismatch=True, counted=False)
        .select_related("elector__home__stairwell__building", "entered_by__person")
        .order_by("elector_id", "batch", "pk")
    )
    ctx = {"vote": vote, "search": search, "q": q, "found": found, "flagged": flagged}
    return render(request, T + "paper.html", ctx)


@login_required
@require_POST
def paper_enter(request, code, pk):
    user = request.user
    vote = access.manage_vote(user, code)
    elector = _elector(vote, pk)
    form = PaperForm(request.POST, request.FILES, elector=elector, matters=matters_of(vote), prefix="paper")
    if not form.is_valid():
        return render_elector(request, vote, elector, paper_form=form, status=400)
    owners = {o.person_id: o.person for o in elector.owners.all()}
    try:
        entry, ballot = services.enter_paper(
            vote=vote, elector=elector, user=user, choices=form.choices(), photo=form.cleaned_data["photo"],
            voter=owners.get(form.cleaned_data["voter"]), by_proxy=form.cleaned_data["by_proxy"],
        )  # fmt: skip
    except VoteError as exc:
        form.add_error(None, exc.message)
        return render_elector(request, vote, elector, paper_form=form, status=exc.status_code)
    if ballot is not None:
        messages.success(
            request,
            _("Both entries agree: the paper ballot now counts (receipt %(receipt)s).") % {"receipt": ballot.receipt},
        )
    elif entry.mismatch:
        messages.warning(
            request,
            _("This entry differs from the earlier one: it is flagged. Another worker must enter it from the photo."),
        )
    else:
        messages.success(request, _("Entry recorded. It counts once a second worker enters the ballot the same way."))
    return redirect("votes:elector", code=vote.code, pk=elector.pk)


@login_required
def paper_photo(request, code, pk):
    vote = access.manage_vote(request.user, code)
    entry = PaperEntry.objects.filter(vote=vote, pk=pk).first()
    if entry is None:
        raise Http404
    return _private_file(entry.photo)


# --- turnout ------------------------------------------------------------------------------


@login_required
def turnout(request, code):
    vote = access.manage_vote(request.user, code)
    rows, total = _turnout_table(vote)
    ctx = {"vote": vote, "rows": rows, "total": total, "live": voting_now(vote)}
    template = T + "_turnout.html" if _is_htmx(request) else T + "turnout.html"
    return render(request, template, ctx)


def _turnout_table(vote):
    """The turnout page's table, per building, and its total line: the page and its export."""
    rows = services.turnout(vote)
    return rows, services.turnout_total(rows)


@login_required
def turnout_export(request, code):
    """The turnout table as on its page: a line per building, then the total."""
    vote = access.manage_vote(request.user, code)
    rows, total = _turnout_table(vote)
    lines = [*rows, {**total, "building": _("All buildings")}]
    columns = [
        (_("Building"), lambda r: r["building"]),
        (_("Homes voted"), lambda r: r["cast"]),
        (_("Homes"), lambda r: r["units"]),
        (_("Area voted (m²)"), lambda r: r["cast_area"]),
        (_("Area (m²)"), lambda r: r["area"]),
        (_("Homes voted (%)"), lambda r: Decimal(r["percent"])),
    ]
    return exports.export_list(
        request,
        key="vote_turnout",
        title=f"{vote.title} · {_('Turnout by building')}",
        queryset=lines,
        model=Vote,
        columns=columns,
        back=reverse("votes:turnout", args=[vote.code]),
        filters={"vote": vote.code},
    )


@login_required
def index_export(request):
    """Every vote the user may see (the page shows the latest two hundred), as Excel."""
    statuses = dict(S.choices)
    votes = access.visible_votes(request.user).select_related("compound", "building", "stairwell")

    def place(v):
        return " ".join(p.name for p in (v.compound, v.building, v.stairwell) if p is not None)

    columns = [
        (exports.label(Vote, "title"), lambda v: v.title),
        (_("Place"), place),
        (exports.label(Vote, "status"), lambda v: str(statuses.get(v.status, v.status))),
        (exports.label(Vote, "opens_at"), lambda v: v.opens_at),
        (exports.label(Vote, "closes_at"), lambda v: v.closes_at),
    ]
    return exports.export_list(
        request,
        key="votes",
        title=_("Owners' votes"),
        queryset=votes.order_by("-opens_at", "-pk"),
        columns=columns,
        back=reverse("votes:index"),
    )
