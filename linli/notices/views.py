"""Pages: the feed (with the bell's count), preferences, and failed deliveries for system
administrators. Thin: what a user may see comes from access.py, writes from services.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from linli.lib.masking import mask_phone

from . import dispatch, kinds, services
from .access import access_delivery, access_notification, own_notifications, sees_deliveries
from .forms import PreferencesForm
from .models import PERSONAL, Channel, Delivery

PER_PAGE = 30


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def feed(request):
    unread_only = request.GET.get("show") == "unread"
    qs = own_notifications(request.user)
    if unread_only:
        qs = qs.unread()
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread_only": unread_only,
        "query": "show=unread" if unread_only else "",
        "sees_deliveries": sees_deliveries(request.user),
    }
    return render(request, "notices/feed.html", context)


@login_required
def open_notice(request, pk):
    """Follow a notification's link, marking it read on the way."""
    notice = access_notification(request.user, pk)
    services.mark_read(user=request.user, ids=[notice.pk])
    safe = url_has_allowed_host_and_scheme(notice.link, allowed_hosts={request.get_host()}, require_https=False)
    return redirect(notice.link if notice.link and safe else reverse("notices:feed"))


@login_required
@require_POST
def read(request, pk):
    notice = access_notification(request.user, pk)
    services.mark_read(user=request.user, ids=[notice.pk])
    if _is_htmx(request):
        notice.refresh_from_db()
        return render(request, "notices/_item_read.html", {"n": notice})
    return redirect(request.POST.get("next") if _safe_next(request) else reverse("notices:feed"))


@login_required
@require_POST
def read_all(request):
    count = services.mark_read(user=request.user)
    if count:
        done = ngettext("%(n)s notification marked read.", "%(n)s notifications marked read.", count)
        messages.success(request, done % {"n": count})
    else:
        messages.info(request, _("Nothing unread."))
    return redirect("notices:feed")


def _safe_next(request) -> bool:
    target = request.POST.get("next", "")
    return bool(target) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})


# --- preferences ------------------------------------------------------------------------


def _shown_kinds(user) -> list[str]:
    """Everyone chooses for his own cases; those who work on cases also for the work."""
    from linli.accounts.templatetags.linli_ui import handles_cases

    works = handles_cases(user)
    return [code for code, kind in kinds.KINDS.items() if works or kind.group != kinds.WORK]


@login_required
def preferences(request):
    user = request.user
    schedule = services.schedule_of(user)
    initial = {"quiet_from": schedule.quiet_from, "quiet_until": schedule.quiet_until, "digest": schedule.digest}
    form = PreferencesForm(
        request.POST or None, initial=initial, kind_codes=_shown_kinds(user), current=services.preferences(user)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_preferences(
                    user=user,
                    choices=form.choices(),
                    quiet_from=form.cleaned_data["quiet_from"],
                    quiet_until=form.cleaned_data["quiet_until"],
                    digest=form.cleaned_data["digest"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your notification preferences are saved."))
                return redirect("notices:preferences")
        status = 400
    addresses = {
        Channel.EMAIL: user.email,
        Channel.SMS: mask_phone(user.person.phone) if user.person_id and user.person.phone else "",
    }
    channels = [(c, c.label, addresses[c]) for c in PERSONAL]
    return render(request, "notices/preferences.html", {"form": form, "channels": channels}, status=status)


# --- failed deliveries (system administrators) --------------------------------------------


@login_required
def failed(request):
    if not sees_deliveries(request.user):
        raise Http404
    qs = Delivery.objects.filter(status=Delivery.Status.FAILED).select_related("config")
    channel = request.GET.get("channel", "")
    if channel in Channel.values:
        qs = qs.filter(channel=channel)
    page = Paginator(qs.order_by("-created", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/failed.html",
        {
            "page": page,
            "channels": Channel.choices,
            "channel": channel,
            "query": f"channel={channel}" if channel else "",
            "gave_up": Delivery.objects.filter(status=Delivery.Status.FAILED, next_try__isnull=True).count(),
        },
    )


@login_required
@require_POST
def retry(request, pk):
    delivery = access_delivery(request.user, pk)
    if delivery.status != Delivery.Status.FAILED:
        messages.info(request, _("This delivery is no longer failed."))
    else:
        dispatch.retry(delivery)
        messages.success(request, _("Queued again: it is being sent now."))
    return redirect("notices:failed")
