"""The mediation section of a case's staff page (调解): open a mediation with its parties,
record sessions, conclude it, record the follow-up.

Only for those who may mediate the case: for anyone else the section does not exist, and the
parties' names never reach them. Views are thin: `mediation` holds the rules; their errors
become the case page with the message (400 input, 403 role, 409 state), nothing written."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from linli.accounts.scope import visible_people
from linli.people.models import Organisation
from linli.places.models import Community

from . import access, mediation
from .lifecycle import CaseError
from .models import FINAL, Kind, Mediation, MediationParty
from .routing import serves
from .rules import may
from .staff_forms import DateInput

SIDES = ("a", "b")
ROWS = (1, 2, 3)
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
Outcome = Mediation.Outcome


# --- what a mediator sees --------------------------------------------------------------------


def mediable_cases(user):
    """The cases the user may mediate (those he handles, and staff's), as `rules` says for one."""
    q = None
    if orgs := access.handler_org_ids(user):
        q = Q(organisation_id__in=orgs)
    if (staff := access.staff_q(user)) is not None:
        q = staff if q is None else q | staff
    return access.visible_cases(user).filter(q) if q is not None else access.visible_cases(user).none()


def mediator_choices(case):
    """Organisations that mediate (MEDIATOR_KINDS) and serve the case's compound."""
    near = (
        Q(compound_id=case.compound_id)
        | Q(community_id=case.community_id, compound__isnull=True)
        | Q(
            kind=Organisation.Kind.DEPARTMENT,
            subdistrict_id__in=Community.objects.filter(pk=case.community_id).values("subdistrict_id"),
        )
        | Q(pk=case.organisation_id)
    )
    orgs = Organisation.objects.filter(near, kind__in=mediation.MEDIATOR_KINDS)
    return [org for org in orgs.order_by("kind", "name") if serves(org, case)]


def section(request, case) -> dict | None:
    """What the case page's mediation section shows this user, or None: nothing at all."""
    user = request.user
    if not may(user, "mediate", case):
        return None
    found = mediation.find(case)
    if found is None and not (case.category.is_dispute or case.kind == Kind.DISPUTE):
        return None
    bound = getattr(request, "_mediation_forms", {})
    ctx = {"case": case, "mediation": found, "who": bound.get("who", ""), "people": bound.get("people", [])}
    if found is None:
        if case.status not in FINAL:
            ctx["open_form"] = bound.get("open") or OpenForm(case=case, user=user)
    elif found.outcome == Outcome.OPEN:
        ctx["session_form"] = bound.get("session") or SessionForm()
        ctx["conclude_form"] = bound.get("conclude") or ConcludeForm()
    elif found.followed_up_at is None:
        ctx["follow_up_form"] = bound.get("follow_up") or FollowUpForm()
    ctx["error"] = bound.get("error", "")
    ctx["bound"] = next((k for k in ("open", "session", "conclude", "follow_up") if k in bound), "")
    return ctx


# --- forms -------------------------------------------------------------------------------------


class OpenForm(forms.Form):
    """The mediating organisation and up to three people on each side, each typed or picked
    among the residents the user can see."""

    mediator = forms.ModelChoiceField(
        label=gettext_lazy("Mediated by"), queryset=Organisation.objects.none(), empty_label=gettext_lazy("(choose)")
    )
    who = forms.CharField(label=gettext_lazy("Find a resident by name or phone"), max_length=50, required=False)

    def __init__(self, *args, case, user, **kw):
        kw.setdefault("prefix", "mopen")
        super().__init__(*args, **kw)
        self.case, self.user = case, user
        choices = mediator_choices(case)
        self.fields["mediator"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in choices]).order_by(
            "kind", "name"
        )
        if case.organisation_id in {o.pk for o in choices}:
            self.fields["mediator"].initial = case.organisation_id
        elif len(choices) == 1:
            self.fields["mediator"].initial = choices[0].pk
        for side in SIDES:
            for i in ROWS:
                self.fields[f"{side}{i}_name"] = forms.CharField(
                    label=_("Name %(n)s") % {"n": i}, max_length=50, required=False
                )
                self.fields[f"{side}{i}_person"] = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def _value(self, name):
        return self.data.get(self.add_prefix(name)) if self.is_bound else self.initial.get(name)

    def sides(self):
        """For the template: each side's label and rows (name field, hidden person, the person)."""
        wanted = {}
        for side in SIDES:
            for i in ROWS:
                raw = str(self._value(f"{side}{i}_person") or "")
                if raw.isdigit():
                    wanted[f"{side}{i}"] = int(raw)
        people = {p.pk: p for p in visible_people(self.user).filter(pk__in=wanted.values())} if wanted else {}
        return [
            (
                side,
                MediationParty.Side(side).label,
                [
                    {
                        "key": f"{side}{i}",
                        "name": self[f"{side}{i}_name"],
                        "person": self[f"{side}{i}_person"],
                        "resident": people.get(wanted.get(f"{side}{i}")),
                    }
                    for i in ROWS
                ],
            )
            for side in SIDES
        ]

    def clean(self):
        data = super().clean()
        wanted = {f"{s}{i}": data.get(f"{s}{i}_person") for s in SIDES for i in ROWS if data.get(f"{s}{i}_person")}
        people = {p.pk: p for p in visible_people(self.user).filter(pk__in=wanted.values())} if wanted else {}
        parties = []
        for side in SIDES:
            for i in ROWS:
                key = f"{side}{i}"
                name = (data.get(f"{key}_name") or "").strip()
                if not name:  # a cleared name empties the row, even with a resident picked
                    continue
                person = people.get(wanted[key]) if key in wanted else None
                if key in wanted and person is None:
                    self.add_error(f"{key}_name", _("Choose the resident again."))
                    continue
                parties.append({"name": name, "side": side, "person": person, "home": None})
        data["parties"] = parties
        return data


def step_data(post, user) -> tuple[dict, str]:
    """A press of "Search", "Party A/B" next to a resident, or "Remove": the form redrawn with
    that change, as initial data (nothing is checked or written yet), and a note if any."""
    prefix = "mopen-"
    data = {k[len(prefix) :]: v for k, v in post.items() if k.startswith(prefix)}
    note = ""
    side, _sep, pk = post.get("pick", "").partition(":")
    if side in SIDES and pk.isdigit():
        person = visible_people(user).filter(pk=int(pk)).first()
        free = [i for i in ROWS if not (data.get(f"{side}{i}_name") or "").strip()]
        taken = {str(data.get(f"{s}{i}_person") or "") for s in SIDES for i in ROWS}
        if person is None:
            note = _("Choose the resident again.")
        elif str(person.pk) in taken:
            note = _("%(name)s is already named in this dispute.") % {"name": person.name}
        elif not free:
            note = _("All rows on this side are taken: clear one first.")
        else:
            data[f"{side}{free[0]}_name"], data[f"{side}{free[0]}_person"] = person.name, str(person.pk)
    row = post.get("unpick", "")
    if len(row) == 2 and row[0] in SIDES and row[1:].isdigit():
        data[f"{row}_name"] = data[f"{row}_person"] = ""
    return data, note


class HeldAtInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kw):
        super().__init__(format=DATETIME_LOCAL, **kw)


class SessionForm(forms.Form):
    held_at = forms.DateTimeField(
        label=gettext_lazy("Held at"),
        widget=HeldAtInput(),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    place = forms.CharField(label=gettext_lazy("Where"), max_length=120)
    mediators = forms.CharField(label=gettext_lazy("Mediators"), max_length=200)
    attendees = forms.CharField(label=gettext_lazy("Present"), max_length=300, required=False)
    summary = forms.CharField(
        label=gettext_lazy("What was said"), max_length=8000, widget=forms.Textarea(attrs={"rows": 5})
    )
    next_step = forms.CharField(label=gettext_lazy("Next step"), max_length=300, required=False)

    def __init__(self, *args, **kw):
        kw.setdefault("prefix", "msession")
        kw.setdefault("initial", {"held_at": timezone.localtime().replace(second=0, microsecond=0)})
        super().__init__(*args, **kw)


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("How did it end?"),
        choices=[(o.value, o.label) for o in (Outcome.AGREED, Outcome.FAILED, Outcome.WITHDRAWN)],
        widget=forms.RadioSelect,
    )
    agreement = forms.CharField(
        label=gettext_lazy("The agreement (when one was reached)"),
        max_length=8000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    follow_up_on = forms.DateField(
        label=gettext_lazy("Follow up on (optional)"),
        required=False,
        widget=DateInput(),
        help_text=gettext_lazy("The day to check with both sides that it holds."),
    )

    def __init__(self, *args, **kw):
        kw.setdefault("prefix", "mconclude")
        super().__init__(*args, **kw)


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Does the agreement hold? What did the parties say?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kw):
        kw.setdefault("prefix", "mfollow")
        super().__init__(*args, **kw)


# Which field a rule's refusal belongs to (by the ValidationError's code).
ERROR_FIELDS = {
    "future": "held_at",
    "no_session": "agreement",
    "required": "agreement",
    "follow_up_past": "follow_up_on",
    "bad_mediator": "mediator",
}


# --- views -------------------------------------------------------------------------------------


def _page(request, case, *, status, error="", **bound):
    from .views import _render_case

    request._mediation_forms = {**bound, "error": error}  # the section shows it too: forms post to #mediation
    return _render_case(request, case, status=status, error=error)


def _mediator_case(request, code):
    """The case (404 outside the user's scope) and whether he may mediate it."""
    case = access.access_case(request.user, code)
    return case, may(request.user, "mediate", case)


def _refused(request, case):
    return _page(request, case, status=403, error=_("Only the people handling this case can record its mediation."))


def _attempt(request, case, key, form, write, done):
    """Check the form, then run the rule `write(data)`: back to the section with a message, or
    the page with the form's errors (400) or the rule's refusal (403 role, 409 state)."""
    if not form.is_valid():
        return _page(request, case, status=400, **{key: form})
    try:
        write(form.cleaned_data)
    except ValidationError as exc:
        field = ERROR_FIELDS.get(getattr(exc, "code", None))
        form.add_error(field if field in form.fields else None, exc)
        return _page(request, case, status=400, **{key: form})
    except PermissionDenied as exc:
        return _page(request, case, status=403, error=str(exc) or _("Your role does not allow you to do that."))
    except CaseError as exc:
        return _page(request, case, status=409, error=exc.message)
    messages.success(request, done)
    return redirect(reverse("cases:case", args=[case.code]) + "#mediation")


def _step(request, code, key, form_class, write, done):
    """A step of a mediation already open (a session, the conclusion, the follow-up): the rule
    `write` is called with the mediation, the user and the form's data."""
    user = request.user
    case, allowed = _mediator_case(request, code)
    if not allowed:
        return _refused(request, case)
    found = mediation.find(case)
    if found is None:
        return _page(request, case, status=409, error=_("This case is not in mediation."))
    form = form_class(request.POST)
    return _attempt(request, case, key, form, lambda data: write(mediation=found, user=user, **data), done)


@login_required
@require_POST
def open_mediation(request, code):
    user = request.user
    case, allowed = _mediator_case(request, code)
    if not allowed:
        return _refused(request, case)
    if any(k in request.POST for k in ("step", "pick", "unpick")):
        from .views import _find_people

        data, note = step_data(request.POST, user)
        form = OpenForm(initial=data, case=case, user=user)
        who = data.get("who", "")
        if note:
            form.step_note = note
        return _page(request, case, status=200, open=form, who=who, people=_find_people(user, who))
    return _attempt(
        request,
        case,
        "open",
        OpenForm(request.POST, case=case, user=user),
        lambda data: mediation.open_mediation(case=case, user=user, mediator=data["mediator"], parties=data["parties"]),
        _("Mediation opened."),
    )


@login_required
def people(request, code):
    """HTMX: residents matching what was typed, to put on one side of the dispute."""
    from .views import _find_people

    case, allowed = _mediator_case(request, code)
    if not allowed:
        raise PermissionDenied
    who = request.GET.get("mopen-who", "")
    ctx = {"case": case, "people": _find_people(request.user, who), "who": who}
    return render(request, "cases/staff/_mediation_people.html", ctx)


@login_required
@require_POST
def add_session(request, code):
    return _step(request, code, "session", SessionForm, mediation.add_session, _("Session recorded."))


@login_required
@require_POST
def conclude(request, code):
    return _step(request, code, "conclude", ConcludeForm, mediation.conclude, _("Mediation concluded."))


@login_required
@require_POST
def follow_up(request, code):
    return _step(request, code, "follow_up", FollowUpForm, mediation.record_follow_up, _("Follow-up recorded."))
