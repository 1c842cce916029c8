"""Pages for importing homes and residents: upload, preview (errors or summary), confirm,
progress and result. The work itself is in linli/people/importing.py."""

import io
import uuid
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linli.lib import exports
from linli.people import importing
from linli.people.models import ImportJob

SHOWN_ERRORS = 500


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel or CSV file"),
        help_text=gettext_lazy("An .xlsx or .csv file with the columns of the template."),
    )
    compound = forms.ModelChoiceField(
        label=gettext_lazy("Compound"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("as named in the file"),
        help_text=gettext_lazy("Optional: all rows go into this compound, and the compound column may be left empty."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = importing.importable_compounds(user).select_related("community")
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            importing.check_file(name=upload.name, size=upload.size)
        except importing.ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


def _require_importer(user):
    if not importing.can_import(user):
        raise PermissionDenied(_("Your role does not allow importing homes and residents."))


def _access_job(user, pk) -> ImportJob:
    """A job is seen only by whoever uploaded it (and system administrators)."""
    jobs = ImportJob.objects.select_related("compound", "user")
    if not user.is_superuser:
        jobs = jobs.filter(user=user)
    try:
        return jobs.get(pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    _require_importer(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        with transaction.atomic():
            job = ImportJob(
                user=request.user,
                file_name=Path(upload.name).name[:255],
                compound=form.cleaned_data["compound"],
                language=translation.get_language() or "",
            )
            # A random stored name: the original may hold a person's name or be reused.
            job.file.save(f"{uuid.uuid4().hex}{suffix}", upload, save=False)
            job.save()
            importing.start_job(job, commit=False)
        return redirect("imports:job", pk=job.pk)
    jobs = listed_jobs(request.user)[:10]
    return render(request, "people/import.html", {"form": form, "jobs": jobs, "columns": importing.COLUMNS})


def listed_jobs(user):
    """One's own imports, newest first: the upload page lists the latest ten, the export all."""
    return ImportJob.objects.filter(user=user).select_related("compound").order_by("-created", "-pk")


@login_required
@require_GET
def jobs_export(request):
    """Every import of one's own with its status and counts, as Excel."""
    _require_importer(request.user)
    statuses = dict(ImportJob.Status.choices)
    columns = [
        (exports.label(ImportJob, "file_name"), lambda j: j.file_name),
        (exports.label(ImportJob, "compound"), lambda j: j.compound.name if j.compound_id else ""),
        (exports.label(ImportJob, "status"), lambda j: str(statuses.get(j.status, j.status))),
        (exports.label(ImportJob, "created"), lambda j: j.created),
        (exports.label(ImportJob, "finished"), lambda j: j.finished),
        (exports.label(ImportJob, "total_rows"), lambda j: j.total_rows),
        (exports.label(ImportJob, "errors"), lambda j: j.summary.get("error_count", len(j.errors))),
        *[(capfirst(str(label)), lambda j, key=key: j.summary.get(key, 0)) for key, label in importing.SUMMARY_KEYS],
    ]
    return exports.export_list(
        request,
        key="import_jobs",
        title=str(capfirst(ImportJob._meta.verbose_name_plural)),
        queryset=listed_jobs(request.user),
        columns=columns,
        back=reverse("imports:upload"),
    )


def _job_context(job: ImportJob) -> dict:
    error_count = job.summary.get("error_count", len(job.errors))
    return {
        "job": job,
        "errors": job.errors[:SHOWN_ERRORS],
        "error_count": error_count,
        "more_errors": max(0, error_count - SHOWN_ERRORS),
        "summary": importing.summary_rows(job.summary),
    }


@login_required
@require_GET
def job(request, pk):
    _require_importer(request.user)
    job = _access_job(request.user, pk)
    importing.fail_if_stale(job)
    return render(request, "people/import_job.html", _job_context(job))


@login_required
@require_GET
def progress(request, pk):
    _require_importer(request.user)
    job = _access_job(request.user, pk)
    importing.fail_if_stale(job)
    response = render(request, "people/import_progress.html", _job_context(job))
    if not job.is_running and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # show the preview or the result in full
    return response


@login_required
@require_POST
def confirm(request, pk):
    _require_importer(request.user)
    with transaction.atomic():
        # Locking the job row keeps a double click from starting two imports of one file.
        job = _access_job(request.user, pk)
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportJob.Status.VALID:
            raise PermissionDenied(_("This file is not ready to be imported."))
        job.status = ImportJob.Status.IMPORTING
        job.processed_rows = 0
        job.save(update_fields=["status", "processed_rows"])
        importing.start_job(job, commit=True)
    return redirect("imports:job", pk=job.pk)


@login_required
@require_GET
def template(request):
    """An empty register with the column headers and one example row."""
    _require_importer(request.user)
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "住户"
    sheet.append([importing.TEMPLATE_HEADERS.get(c.key, c.header) for c in importing.COLUMNS])
    sheet.append([c.example for c in importing.COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in ("K", "L"):  # phone and ID number as text, so Excel keeps every digit
        sheet.column_dimensions[column].number_format = "@"
        sheet.column_dimensions[column].width = 20
        for cell in sheet[column]:
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="linli-import-template.xlsx"'
    return response
