"""Pages: my duties (with a swap request) and check-in at a post by its QR link, for everyone on
duty; for the compound's organisers the posts, a post's week (assign, unassign, swaps to
approve), the bulk form and the post's printable QR sheet. Thin: every write is in services.py;
a post the user does not organise is a 404, as anywhere."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from linli.lib import exports

from . import services
from .models import Duty, Shift, SwapRequest, SwapStatus
from .services import RosterError

T = "rosters/"


class PostForm(forms.Form):
    compound = forms.ChoiceField(label=gettext_lazy("Compound"))
    name = forms.CharField(label=gettext_lazy("Name of the post"), max_length=60)
    description = forms.CharField(
        label=gettext_lazy("What the person on duty does"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, compounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].choices = [(c.pk, c.name) for c in compounds]


class BulkForm(forms.Form):
    first = forms.DateField(label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=gettext_lazy("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    pattern = forms.CharField(
        label=gettext_lazy("Shifts of each day"),
        initial="07:00-12:00, 12:00-18:00, 18:00-22:00",
        max_length=400,
        help_text=gettext_lazy("Start-end in 24-hour time, separated by commas. 22:00-07:00 runs past midnight."),
    )
    needed = forms.IntegerField(label=gettext_lazy("People per shift"), min_value=1, max_value=50, initial=1)


def _post(user, post_pk):
    post = get_object_or_404(services.organised_posts(user).select_related("compound"), pk=post_pk)
    return post


def _monday(raw: str | None) -> dt.date:
    try:
        day = dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


def _back_to_week(post, raw_week):
    url = reverse("rosters:post", args=[post.pk])
    return redirect(f"{url}?week={_monday(raw_week).isoformat()}")


# --- for everyone on duty -------------------------------------------------------------------


@login_required
@never_cache
def mine(request):
    person = getattr(request.user, "person", None)
    duties = list(services.my_duties(person)) if person else []
    pending = set(
        SwapRequest.objects.filter(duty__in=duties, status=SwapStatus.PENDING).values_list("duty_id", flat=True)
    )
    offers = {}
    for d in duties:
        compound_id = d.shift.post.compound_id
        if compound_id not in offers:
            offers[compound_id] = [p for p in services.candidates(d.shift.post.compound) if p.pk != person.pk]
        d.swap_pending = d.pk in pending
        d.offers = offers[compound_id]
    return render(request, T + "mine.html", {"duties": duties})


@login_required
@require_POST
def ask_swap(request):
    """The person on duty asks for someone else to take the shift; an organiser decides."""
    duty = get_object_or_404(
        Duty.objects.select_related("shift__post__compound"),
        pk=request.POST.get("duty") or 0,
        person_id=request.user.person_id or 0,
    )
    to_person = get_object_or_404(services.candidates(duty.shift.post.compound), pk=request.POST.get("to_person") or 0)
    try:
        services.request_swap(user=request.user, duty=duty, to_person=to_person, reason=request.POST.get("reason", ""))
    except RosterError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your swap request is sent to the organisers."))
    return redirect("rosters:mine")


@login_required
@never_cache
def checkin(request, token):
    """GET shows a confirm button (a QR scan must not check in by itself); POST checks in. A post
    the user neither organises nor holds a duty at is a 404, as anywhere."""
    post = get_object_or_404(services.visible_posts(request.user), token=token)
    if request.method == "POST":
        try:
            services.check_in(user=request.user, token=token)
        except RosterError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Checked in at your post."))
        return redirect("rosters:mine")
    return render(request, T + "checkin.html", {"token": token, "post": post})


# --- for organisers ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def index(request):
    compounds = list(services.organised_compounds(request.user).order_by("name")[:500])
    posts = list(services.organised_posts(request.user).select_related("compound").order_by("compound__name", "name"))
    if not compounds and not posts:
        raise Http404
    form = PostForm(request.POST or None, compounds=compounds, prefix="post")
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            compound = next(c for c in compounds if str(c.pk) == form.cleaned_data["compound"])
            try:
                post = services.create_post(
                    user=request.user,
                    compound=compound,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                )
            except RosterError as exc:
                error = exc.message
            else:
                messages.success(request, _("The post is created. Now make its shifts."))
                return redirect("rosters:bulk", post_pk=post.pk)
        status = 422
    return render(request, T + "index.html", {"posts": posts, "form": form, "error": error}, status=status)


@login_required
@never_cache
def post(request, post_pk):
    post = _post(request.user, post_pk)
    monday = _monday(request.GET.get("week"))
    ctx = {
        "post": post,
        "days": services.week_of(post, monday),
        "monday": monday,
        "sunday": monday + dt.timedelta(days=6),
        "previous": monday - dt.timedelta(days=7),
        "next": monday + dt.timedelta(days=7),
        "today": timezone.localdate(),
        "people": list(services.candidates(post.compound, request.user)),
        "swaps": list(services.pending_swaps(post)),
        "checkin_url": request.build_absolute_uri(reverse("rosters:checkin", args=[post.token])),
    }
    return render(request, T + "post.html", ctx)


@login_required
def post_export(request, post_pk):
    """The post's week as on its page (the `week` asked for): a line per shift with the people
    on duty and who has checked in."""
    post = _post(request.user, post_pk)
    monday = _monday(request.GET.get("week"))

    def people(s, checked_in=False):
        return "、".join(d.person.name for d in s.duties.all() if not checked_in or d.checked_in_at)

    columns = [
        (_("Day"), lambda s: timezone.localdate(s.starts)),
        (exports.label(Shift, "starts"), lambda s: s.starts),
        (exports.label(Shift, "ends"), lambda s: s.ends),
        (exports.label(Shift, "needed"), lambda s: s.needed),
        (_("On duty"), lambda s: len(s.duties.all())),
        (capfirst(_("short of people")), lambda s: _("yes") if len(s.duties.all()) < s.needed else ""),
        (_("People on duty"), people),
        (capfirst(_("checked in")), lambda s: people(s, checked_in=True)),
    ]
    return exports.export_list(
        request,
        key="roster_shifts",
        title=f"{post.compound.name} · {post.name} · {monday:%Y-%m-%d}",
        queryset=services.week_shifts(post, monday),
        columns=columns,
        back=reverse("rosters:post", args=[post.pk]),
        filters={"post": str(post.pk), "week": monday.isoformat()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def bulk(request, post_pk):
    post = _post(request.user, post_pk)
    form = BulkForm(request.POST or None, prefix="bulk")
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                made = services.bulk_create_shifts(
                    user=request.user,
                    post=post,
                    first=d["first"],
                    last=d["last"],
                    pattern=services.parse_pattern(d["pattern"]),
                    needed=d["needed"],
                )
            except RosterError as exc:
                error = exc.message
            else:
                messages.success(request, _("%(n)d shifts made.") % {"n": len(made)})
                return _back_to_week(post, d["first"].isoformat())
        status = 422
    return render(request, T + "bulk.html", {"post": post, "form": form, "error": error}, status=status)


@login_required
@require_POST
def assign(request, post_pk):
    post = _post(request.user, post_pk)
    shift = get_object_or_404(post.shifts.select_related("post__compound"), pk=request.POST.get("shift") or 0)
    person = services.candidates(post.compound, request.user).filter(pk=request.POST.get("person") or 0).first()
    try:
        if person is None:
            raise RosterError(_("Choose a person from the list."))
        services.assign(user=request.user, shift=shift, person=person)
    except RosterError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(person)s is on duty: %(shift)s.") % {"person": person.name, "shift": shift})
    return _back_to_week(post, request.POST.get("week"))


@login_required
@require_POST
def unassign(request, post_pk):
    post = _post(request.user, post_pk)
    duty = get_object_or_404(
        Duty.objects.select_related("shift__post__compound", "person"),
        pk=request.POST.get("duty") or 0,
        shift__post=post,
    )
    try:
        services.unassign(user=request.user, duty=duty)
    except RosterError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(person)s is off the shift.") % {"person": duty.person.name})
    return _back_to_week(post, request.POST.get("week"))


@login_required
@require_POST
def decide(request, post_pk):
    post = _post(request.user, post_pk)
    swap = get_object_or_404(
        SwapRequest.objects.select_related("duty__shift__post__compound"),
        pk=request.POST.get("swap") or 0,
        duty__shift__post=post,
    )
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide_swap(user=request.user, swap=swap, approve=approve)
    except RosterError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Swap approved.") if approve else _("Swap declined."))
    return _back_to_week(post, request.POST.get("week"))


@login_required
@require_GET
def qr_sheet(request, post_pk):
    """The A4 sheet to hang at the post: its name and the check-in QR code, drawn like the
    stairwell posters (PDF to print; ?format=png to look at)."""
    from linli.lib.posters import stairwell_poster

    post = _post(request.user, post_pk)
    fmt = "png" if request.GET.get("format") == "png" else "pdf"
    url = request.build_absolute_uri(reverse("rosters:checkin", args=[post.token]))
    # Hung at the post for the volunteers, whatever language the person printing reads.
    with translation.override("zh-hans"):
        title_lines = [_("Duty check-in · scan on arrival"), f"{post.compound.name} {post.name}"]
        footer_lines = [_("Scan with linli when your shift begins (from 15 minutes before).")]
    with translation.override("en"):
        footer_lines.append(_("Scan with linli when your shift begins (from 15 minutes before)."))
    data = stairwell_poster(title_lines=title_lines, url=url, footer_lines=footer_lines, fmt=fmt)
    response = HttpResponse(data, content_type="application/pdf" if fmt == "pdf" else "image/png")
    response["Content-Disposition"] = f'inline; filename="post-{post.pk}-qr.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response
