from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from linli.lib import exports

from . import export, services
from .forms import CorrectionForm, DecisionForm, DeletionForm
from .models import CorrectionRequest, DeletionRequest, Status
from .sections import collect


@login_required
@never_cache
def mine(request):
    person = getattr(request.user, "person", None)
    context = {"is_decider": services.is_decider(request.user), "person": person}
    if person is not None:
        context.update(
            sections=collect(person, request.user),
            correction_form=CorrectionForm(),
            deletion_form=DeletionForm(),
            deletion_pending=DeletionRequest.objects.filter(person=person, status=Status.PENDING).exists(),
        )
    return render(request, "privacy/mine.html", context)


def _download(request, body: bytes, content_type: str, ext: str) -> HttpResponse:
    name = f"linli-my-data-{timezone.localdate():%Y%m%d}.{ext}"
    headers = {"Content-Disposition": content_disposition_header(True, name), "Cache-Control": "no-store"}
    return HttpResponse(body, content_type=content_type, headers=headers)


@login_required
def export_json(request):
    person = services.person_of(request.user)
    return _download(request, export.as_json(person, request.user), "application/json; charset=utf-8", "json")


@login_required
def export_xlsx(request):
    person = services.person_of(request.user)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(request, export.as_xlsx(person, request.user), xlsx, "xlsx")


@login_required
@require_POST
def correct(request):
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.ask_correction(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your correction request was sent to your community's workers."))
    else:
        messages.error(request, _("Say which field is wrong and the correct value."))
    return redirect("privacy:mine")


@login_required
@require_POST
def delete(request):
    form = DeletionForm(request.POST)
    form.is_valid()
    try:
        services.ask_deletion(user=request.user, note=form.cleaned_data.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your deletion request was sent to your community's workers."))
    return redirect("privacy:mine")


@login_required
@never_cache
def requests_queue(request):
    if not services.is_decider(request.user):
        raise Http404
    pending = {"status": Status.PENDING}
    context = {
        "corrections": services.queue(request.user, CorrectionRequest).filter(**pending),
        "deletions": services.queue(request.user, DeletionRequest).filter(**pending),
        "decided": list(services.queue(request.user, CorrectionRequest).exclude(**pending)[:20])
        + list(services.queue(request.user, DeletionRequest).exclude(**pending)[:20]),
    }
    return render(request, "privacy/queue.html", context)


def queued_requests(user) -> list:
    """Every request of the queue, corrections and deletions together: those waiting first,
    then those decided, newest first (the page shows the waiting ones and the latest decided)."""
    requests = [*services.queue(user, CorrectionRequest), *services.queue(user, DeletionRequest)]
    return sorted(requests, key=lambda r: (r.is_pending, r.decided_at or r.created, r.created, r.pk), reverse=True)


@login_required
@never_cache
def queue_export(request):
    """The requests queue as Excel: every request of the decider's communities, as the page
    names them (the resident's name, the field, never the corrected value)."""
    if not services.is_decider(request.user):
        raise Http404
    fields = dict(CorrectionRequest.Field.choices)
    statuses = dict(Status.choices)
    columns = [
        (_("Request"), lambda r: str(capfirst(r._meta.verbose_name))),
        (exports.label(CorrectionRequest, "person"), lambda r: r.person.name),
        (exports.label(CorrectionRequest, "field"), lambda r: str(fields.get(getattr(r, "field", ""), ""))),
        (exports.label(CorrectionRequest, "community"), lambda r: r.community.name),
        (exports.label(CorrectionRequest, "created"), lambda r: r.created),
        (exports.label(CorrectionRequest, "status"), lambda r: str(statuses.get(r.status, r.status))),
        (exports.label(CorrectionRequest, "decided_at"), lambda r: r.decided_at),
    ]
    return exports.export_list(
        request,
        key="privacy_requests",
        title=_("Residents' requests to correct or delete"),
        queryset=queued_requests(request.user),
        model=CorrectionRequest,
        columns=columns,
        back=reverse("privacy:queue"),
    )


def _decide(request, model, pk, decide, template):
    item = services.access_request(request.user, model, pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decide(
                user=request.user,
                pk=item.pk,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Decided."))
            return redirect("privacy:queue")
    blocker = services.why_not_anonymise(item.person) if model is DeletionRequest and item.is_pending else None
    return render(request, template, {"item": item, "form": form, "blocker": blocker})


@login_required
@never_cache
def correction(request, pk):
    return _decide(request, CorrectionRequest, pk, services.decide_correction, "privacy/correction.html")


@login_required
@never_cache
def deletion(request, pk):
    return _decide(request, DeletionRequest, pk, services.decide_deletion, "privacy/deletion.html")
