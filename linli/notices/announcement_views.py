"""Pages for announcements: the list, one announcement (opening it leaves a read receipt), the
composer for those who may publish, and the reach report (which homes have read it)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import announcements as ann
from .forms import AnnouncementForm
from .models import AnnouncementRead


@login_required
def announcement_list(request):
    user = request.user
    read = AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user=user)
    qs = (
        ann.visible_announcements(user)
        .current()
        .select_related("community", "compound", "building", "stairwell")
        .annotate(is_read=Exists(read))
    )
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
        {"a": announcement, "sees_reach": ann.may_see_reach(request.user, announcement)},
    )


def _places(user):
    return [(level, place) for level in ann.PLACE_LEVELS for place in ann.publishable(user, level)]


@login_required
def announcement_new(request):
    user = request.user
    if not ann.may_publish_anywhere(user):
        raise PermissionDenied
    form = AnnouncementForm(request.POST or None, places=_places(user))
    if request.method == "POST" and form.is_valid():
        level, place = form.cleaned_data["place"]
        expires = form.cleaned_data["expires"]
        until = timezone.make_aware(dt.datetime.combine(expires, dt.time(23, 59, 59))) if expires else None
        try:
            announcement = ann.publish(
                user=user,
                level=level,
                place=place,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                pinned=form.cleaned_data["pinned"],
                expires=until,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
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
