"""Pages for announcements: the list, one announcement (opening it leaves a read receipt) and its
files, the composer for those who may publish, and the reach report (which homes have read it
or were told in person, or for an organisation or a role, which people have read it)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.lib import exports

from . import announcements as ann
from .forms import AnnouncementForm
from .models import Announcement, AnnouncementAttachment, AnnouncementRead


def listed_announcements(user):
    """The current announcements the user may read, with his read mark (page and export)."""
    read = AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=user)
    return (
        ann.visible_announcements(user)
        .current()
        .select_related("community", "compound", "building", "stairwell", "organisation")
        .annotate(is_read=Exists(read))
    )


@login_required
def announcement_list(request):
    user = request.user
    qs = listed_announcements(user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/announcements/list.html",
        {"page": page, "may_publish": ann.may_publish_anywhere(user)},
    )


@login_required
def announcement_detail(request, pk):
    announcement = ann.access_announcement(request.user, pk)
    ann.mark_read(user=request.user, announcement=announcement)
    return render(
        request,
        "notices/announcements/detail.html",
        {
            "a": announcement,
            "files": announcement.attachments.all(),
            "sees_reach": ann.may_see_reach(request.user, announcement),
        },
    )


@login_required
def attachment(request, pk, file_pk):
    """A file of an announcement, for those who may read the announcement (never a public URL)."""
    announcement = ann.access_announcement(request.user, pk)
    try:
        item = AnnouncementAttachment.objects.get(announcement=announcement, pk=file_pk)
        handle = item.file.open("rb")
    except (AnnouncementAttachment.DoesNotExist, FileNotFoundError):
        raise Http404 from None
    response = FileResponse(handle, content_type=item.content_type, as_attachment=not item.is_image, filename=item.name)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _places(user):
    return [(level, place) for level in ann.PLACE_LEVELS for place in ann.publishable(user, level)]


@login_required
def announcement_new(request):
    user = request.user
    if not ann.may_publish_anywhere(user):
        raise PermissionDenied
    form = AnnouncementForm(
        request.POST or None,
        request.FILES or None,
        places=_places(user),
        organisations=ann.publishable_organisations(user).order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        level, place = form.cleaned_data["place"]
        to = {"organisation": place} if level == "organisation" else {"level": level, "place": place}
        expires = form.cleaned_data["expires"]
        until = timezone.make_aware(dt.datetime.combine(expires, dt.time(23, 59, 59))) if expires else None
        try:
            announcement = ann.publish(
                user=user,
                **to,
                role=form.cleaned_data["role"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                pinned=form.cleaned_data["pinned"],
                expires=until,
                files=form.cleaned_data["files"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            if announcement.for_people:
                messages.success(request, _("Published. Those it is for with an account are told under the bell."))
            else:
                messages.success(request, _("Published. Everyone living there with an account is told under the bell."))
            return redirect("notices:announcement", pk=announcement.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "notices/announcements/new.html", {"form": form}, status=status)


@login_required
def announcement_reach(request, pk):
    announcement = ann.access_announcement(request.user, pk)
    if not ann.may_see_reach(request.user, announcement):
        raise Http404
    return render(
        request,
        "notices/announcements/reach.html",
        {"a": announcement, "reach": ann.reach(announcement, request.user)},
    )


@login_required
def announcement_reach_export(request, pk):
    """The reach table as on its page: per stairwell the homes read, told in person and not yet
    reached, then the total; for an announcement to people, those who have not read it."""
    announcement = ann.access_announcement(request.user, pk)
    if not ann.may_see_reach(request.user, announcement):
        raise Http404
    reach = ann.reach(announcement, request.user)
    if announcement.for_people:
        lines, columns = reach.unread, [(_("Not read yet"), lambda p: p.name)]
    else:
        total = SimpleNamespace(
            stairwell=_("All homes"),
            total=reach.total,
            read=reach.read,
            told=reach.told,
            not_reached=reach.total - reach.reached,
            unread_homes=[],
            told_homes=[],
        )
        lines = [*reach.stairwells, total]
        columns = [
            (_("Stairwell"), lambda r: str(r.stairwell)),
            (_("Homes"), lambda r: r.total),
            (_("Read"), lambda r: r.read),
            (_("Told in person"), lambda r: r.told),
            (_("Not yet reached"), lambda r: r.not_reached),
            (_("Homes not yet reached"), lambda r: "、".join(h.number for h in r.unread_homes)),
            (_("Homes told in person"), lambda r: "; ".join(_told(home, mark) for home, mark in r.told_homes)),
        ]
    return exports.export_list(
        request,
        key="announcement_reach",
        title=f"{announcement.title} · {_('Who has read it')}",
        queryset=lines,
        model=Announcement,
        columns=columns,
        back=reverse("notices:announcement_reach", args=[announcement.pk]),
        filters={"announcement": str(announcement.pk)},
    )


def _told(home, mark) -> str:
    at = timezone.localtime(mark.at).strftime("%Y-%m-%d %H:%M")
    return _("%(home)s: told in person by %(by)s, %(at)s") % {"home": home.number, "by": mark.by_label, "at": at}


def _marking(request, pk, home_pk, action):
    announcement = ann.access_announcement(request.user, pk)
    home = ann.access_home_for_marking(request.user, announcement, home_pk)
    try:
        action(user=request.user, announcement=announcement, home=home)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
    return redirect("notices:announcement_reach", pk=announcement.pk)


@login_required
@require_POST
def told(request, pk, home_pk):
    """Mark a home told in person (door to door)."""
    return _marking(request, pk, home_pk, ann.mark_told)


@login_required
@require_POST
def untold(request, pk, home_pk):
    """Undo one's own mark."""
    return _marking(request, pk, home_pk, ann.unmark_told)


@login_required
def announcement_list_export(request):
    columns = [
        (exports.label(Announcement, "published"), lambda a: a.published),
        (exports.label(Announcement, "title"), lambda a: a.title),
        (_("Audience"), lambda a: a.audience_label),
        (_("From"), lambda a: a.author_label),
        (_("Pinned"), lambda a: _("yes") if a.pinned else ""),
        (_("Read"), lambda a: _("yes") if a.is_read else _("no")),
    ]
    return exports.export_list(
        request,
        key="announcements",
        title=_("Announcements"),
        queryset=listed_announcements(request.user),
        columns=columns,
        back=reverse("notices:announcements"),
    )
