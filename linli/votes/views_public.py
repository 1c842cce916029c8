"""Pages anyone can open with a vote's code (access.public_vote): the notice, and once voting
has closed the result, the receipt check and the published ballot list, so that any owner can
see his ballot counted and anyone can recompute the totals (chain.py)."""

from __future__ import annotations

import os
from decimal import Decimal

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from linli.lib.api_support import client_ip

from . import access, limits, services
from .forms import ReceiptForm
from .models import Item, Matter, Vote
from .views import matters_of

S = Vote.Status
T = "votes/public/"
RESULT_STATUSES = (S.CLOSED, S.PUBLISHED)


def threshold_words(text: str) -> str:
    """ ">=2/3" → "at least 2/3", ">1/2" → "more than 1/2"."""
    fraction = text.lstrip(">=")
    if text.startswith(">="):
        return _("at least %(fraction)s") % {"fraction": fraction}
    return _("more than %(fraction)s") % {"fraction": fraction}


def _pct(ratio: dict) -> str:
    return f"{ratio['percent']}%"


def _m2(hundredths: int) -> Decimal:
    return (Decimal(hundredths) / 100).quantize(Decimal("0.01"))


def result_view(vote: Vote) -> dict:
    """The stored result (tally.compute's JSON) in the words and figures the page shows."""
    result, rules = vote.result, vote.rules
    matters = {m.pk: m for m in matters_of(vote)}
    p = result["participation"]
    participation = {
        "area": _pct(p["area"]),
        "heads": _pct(p["heads"]),
        "area_part": _m2(p["area"]["part"]),
        "area_whole": _m2(p["area"]["whole"]),
        "heads_part": p["heads"]["part"],
        "heads_whole": p["heads"]["whole"],
        "units": p["units"],
        "area_rule": threshold_words(rules["participation_area"]),
        "heads_rule": threshold_words(rules["participation_heads"]),
        "passed": p["passed"],
    }
    rows = []
    for m in result["matters"]:
        matter = matters.get(m["key"])
        row = {
            "matter": matter,
            "item": Item(m["item"]).label if m["item"] in Item.values else "",
            "special": m["special"],
            "area_rule": threshold_words(m["thresholds"]["area"]),
            "heads_rule": threshold_words(m["thresholds"]["heads"]),
            "passed": m["passed"],
            "election": m["kind"] == Matter.Kind.ELECTION,
        }
        if m["kind"] == Matter.Kind.PROPOSAL:
            row.update(
                approval_area=_pct(m["approval"]["area"]),
                approval_heads=_pct(m["approval"]["heads"]),
                approved=m["approved"],
                units=m["units"],
                without_consent=len((m.get("affected") or {}).get("without_consent", [])),
                consent_rule="affected" in m,
            )
        else:
            names = {c.pk: c.name for c in matter.candidates.all()} if matter else {}
            row["candidates"] = [
                {
                    "name": names.get(c["key"], "?"),
                    "area": _pct(c["area"]),
                    "heads": _pct(c["heads"]),
                    "elected": c["elected"],
                    "tie": c["tie"],
                    "qualified": c["qualified"],
                }
                for c in m["candidates"]
            ]
        rows.append(row)
    electorate = result.get("electorate", {})
    return {
        "participation": participation,
        "matters": rows,
        "electorate": {
            "area": _m2(electorate.get("area", 0)),
            "area_hundredths": electorate.get("area", 0),
            "heads": electorate.get("heads", 0),
            "units": electorate.get("units", 0),
        },
        "chain": result.get("chain", {}),
    }


@require_GET
def notice(request, code):
    vote = access.public_vote(code)
    ctx = {
        "vote": vote,
        "matters": matters_of(vote),
        "documents": list(vote.documents.all()),
        "has_result": vote.status in RESULT_STATUSES,
    }
    return render(request, T + "notice.html", ctx)


@require_GET
def document(request, code, pk):
    vote = access.public_vote(code)
    item = vote.documents.filter(pk=pk).first()
    if item is None:
        raise Http404
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    name = item.file.name.rsplit("/", 1)[-1]
    # The type follows our own name for the file (forms.document_upload); Office files download.
    content_type, inline = DOCUMENT_SERVED.get(os.path.splitext(name)[1].lower(), ("application/octet-stream", False))
    response = FileResponse(handle, filename=name, as_attachment=not inline, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


DOCUMENT_SERVED = {
    ".pdf": ("application/pdf", True),
    ".jpg": ("image/jpeg", True),
    ".jpeg": ("image/jpeg", True),
    ".png": ("image/png", True),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
}


RECEIPT_ANSWERS = {
    "counted": gettext_lazy("Counted: a ballot with this receipt is in the published list and in the result."),
    "current": gettext_lazy(
        "Recorded: this is the ballot that counts for the home now; the count comes after closing."
    ),
    "replaced": gettext_lazy(
        "Replaced by a later ballot: this receipt belongs to an earlier ballot for the same home, "
        "and only the last ballot counts."
    ),
    "unknown": gettext_lazy("Unknown: no ballot of this vote has this receipt. Please check the code."),
}


@require_http_methods(["GET", "POST"])
def result(request, code):
    """The result, and the receipt check (rate-limited per address, with the API)."""
    vote = access.public_vote(code)
    if vote.status not in RESULT_STATUSES:
        return render(request, T + "not_yet.html", {"vote": vote}, status=404)
    form = ReceiptForm(request.POST or None)
    answer, status, limited = None, 200, ""
    if request.method == "POST":
        if not limits.receipt_check_allowed(client_ip(request) or "unknown"):
            limited, status = _("Too many checks from this connection. Please wait an hour and try again."), 429
        elif form.is_valid():
            found = services.receipt_status(vote, form.cleaned_data["code"])
            answer = {"status": found["status"], "text": str(RECEIPT_ANSWERS[found["status"]]), **found}
        else:
            status = 400
    ctx = {"vote": vote, "r": result_view(vote), "form": form, "answer": answer, "limited": limited}
    response = render(request, T + "result.html", ctx, status=status)
    if request.method == "POST":
        response["Cache-Control"] = "no-store"
    return response


@require_GET
def ballots_txt(request, code):
    vote = access.public_vote(code)
    if vote.status not in RESULT_STATUSES:
        raise Http404
    lines = services.published_lines(vote)
    response = HttpResponse("".join(line + "\n" for line in lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ballots-{vote.code}.txt"'
    return response
