"""Forms of the vote pages. They read what a person typed into the shapes services.py takes;
every rule of the vote itself (is every matter answered, how many candidates, may this home
vote) stays in services.py, whose message the page shows."""

from __future__ import annotations

import contextlib
import os
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from linli.accounts.scope import visible_people
from linli.lib.crypto import keyed_hash
from linli.lib.images import clean_photo
from linli.lib.masking import mask_name
from linli.lib.normalize import normalize_phone
from linli.places.models import Building, Stairwell

from .models import Item, Matter, RuleSet
from .tally import ABSTAIN, NO, YES

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
PROPOSAL_OPTIONS = [(YES, _("For")), (NO, _("Against")), (ABSTAIN, _("Abstain"))]
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


# --- the ballot -----------------------------------------------------------------------------


def matter_field(matter: Matter) -> forms.Field:
    """One matter's question. Not required here: an unanswered matter is refused by
    services.check_choices, with the message that names it."""
    if matter.kind == Matter.Kind.PROPOSAL:
        return forms.ChoiceField(label=matter.title, choices=PROPOSAL_OPTIONS, required=False, widget=forms.RadioSelect)
    return forms.TypedMultipleChoiceField(
        label=matter.title,
        choices=[(c.pk, c.name) for c in matter.candidates.all()],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ChoicesMixin:
    """The vote's matters as fields m<pk>; `choices()` is the dict services take."""

    def add_matters(self, matters):
        self.matters = list(matters)
        for matter in self.matters:
            self.fields[f"m{matter.pk}"] = matter_field(matter)

    def matter_fields(self):
        return [(matter, self[f"m{matter.pk}"]) for matter in self.matters]

    def choices(self) -> dict:
        out = {}
        for matter in self.matters:
            value = self.cleaned_data.get(f"m{matter.pk}")
            if matter.kind == Matter.Kind.PROPOSAL:
                if value:
                    out[str(matter.pk)] = value
            else:
                out[str(matter.pk)] = list(value or [])
        return out


class BallotForm(ChoicesMixin, forms.Form):
    """One screen: the homes to vote for (all ticked), each matter, one button."""

    homes = forms.TypedMultipleChoiceField(
        label=_("Vote for"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one home to vote for.")},
    )

    def __init__(self, *args, vote, electors, matters, **kw):
        super().__init__(*args, **kw)
        self.vote = vote
        self.electors = list(electors)
        self.fields["homes"].choices = [(e.pk, home_label(e.home)) for e in self.electors]
        self.fields["homes"].initial = [e.pk for e in self.electors]
        self.add_matters(matters)

    def chosen_electors(self):
        picked = set(self.cleaned_data["homes"])
        return [e for e in self.electors if e.pk in picked]


def home_label(home) -> str:
    stairwell = home.stairwell
    return f"{stairwell.building.name} {stairwell.name} {home.number}"


# --- setting a vote up ----------------------------------------------------------------------


class VoteForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Notice text"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    kind = forms.ChoiceField(label=_("Kind"), choices=RuleSet.Kind.choices, initial=RuleSet.Kind.ASSEMBLY)
    compound = forms.ModelChoiceField(label=_("Compound"), queryset=None)
    building = forms.ModelChoiceField(
        label=_("Building"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("(the whole compound)"),
        help_text=_("Leave empty for a vote of the whole compound."),
    )
    stairwell = forms.ModelChoiceField(
        label=_("Stairwell"),
        queryset=Stairwell.objects.none(),
        required=False,
        empty_label=_("(the whole building)"),
        help_text=_("An elevator consent is voted by one stairwell."),
    )
    opens_at = forms.DateTimeField(label=_("Voting opens"), widget=DATETIME)
    closes_at = forms.DateTimeField(label=_("Voting closes"), widget=DATETIME)

    def __init__(self, *args, compounds, compound=None, **kw):
        super().__init__(*args, **kw)
        self.fields["compound"].queryset = compounds.order_by("name")
        if compound is None and compounds.count() == 1:
            compound = compounds.first()
        if compound is not None:
            self.fields["compound"].initial = compound.pk
        self.compound = compound
        if compound is not None:
            self.fields["building"].queryset = Building.objects.filter(compound=compound).order_by("sort_key", "pk")
            self.fields["stairwell"].queryset = (
                Stairwell.objects.filter(building__compound=compound)
                .select_related("building")
                .order_by("building__sort_key", "building_id", "pk")
            )
            self.fields["stairwell"].label_from_instance = lambda s: f"{s.building.name} {s.name}"


class MatterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Matter.Kind.choices, initial=Matter.Kind.PROPOSAL)
    item = forms.TypedChoiceField(label=_("Art. 278 item"), choices=Item.choices, coerce=int, initial=Item.OTHER)
    title = forms.CharField(label=_("Matter"), max_length=200)
    text = forms.CharField(label=_("Full text"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    seats = forms.IntegerField(label=_("Seats (elections)"), required=False, min_value=1, max_value=99)
    term_years = forms.IntegerField(label=_("Term in years (elections)"), required=False, min_value=1, max_value=99)
    candidates = forms.CharField(
        label=_("Candidates (elections), one per line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def candidate_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["candidates"].splitlines() if line.strip()]


def check_document(upload):
    """A PDF as it is; a photo or scan re-encoded without its metadata (lib.images)."""
    if upload is None:
        return None
    if upload.size and upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(_("The file is larger than 20 MB."))
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        upload.name = secrets.token_hex(8) + ".pdf"  # never the sender's name: it decides the type served
        return upload
    return clean_photo(upload)


PHOTO_TYPES = {".jpg", ".jpeg", ".png"}
OFFICE_TYPES = {".docx", ".xlsx"}


def document_upload(upload):
    """A vote's document as services.add_document takes it (the service decides which types and
    sizes it keeps): a photo re-encoded without its metadata, a PDF or an Office file under a
    name of our own, since the name decides the type it is served as."""
    if upload is None:
        return None
    ext = os.path.splitext(upload.name or "")[1].lower()
    if ext in PHOTO_TYPES:
        photo = clean_photo(upload)
        return ContentFile(photo.content, name=photo.name)
    if ext == ".pdf":
        upload.seek(0)
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise ValidationError(_("This file is not a PDF."))
    if ext == ".pdf" or ext in OFFICE_TYPES:
        upload.name = secrets.token_hex(8) + ext
    return upload


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    file = forms.FileField(
        label=_("File (PDF, photo, Word or Excel)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}),
    )

    def clean_file(self):
        return document_upload(self.cleaned_data.get("file"))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is the vote cancelled?"), max_length=300, required=False)


# --- the electorate -------------------------------------------------------------------------


FIELD_LABELS = [
    ("area", _("floor area (m²)")),
    ("affected", _("affected (consent required): yes / no")),
    ("compensation_agreed", _("compensation agreement recorded: yes / no")),
    ("developer_held", _("unsold, held by the developer: yes / no")),
    ("voter", _("designated voter (choose the owner)")),
    ("remove_owner", _("remove an owner (choose the owner)")),
    ("add_owner", _("add an owner (his mobile number)")),
]
YES_WORDS = {"yes", "y", "1", "true", "是", "有"}
NO_WORDS = {"no", "n", "0", "false", "否", "无", "没有"}


def find_person(user, phone: str):
    """A person within the user's reach by his mobile number, or None."""
    with contextlib.suppress(ValueError):
        return visible_people(user).filter(phone_hash=keyed_hash(normalize_phone(phone))).first()
    return None


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=_("What to correct"), choices=FIELD_LABELS)
    value = forms.CharField(label=_("New value"), max_length=100, required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    reason = forms.CharField(label=_("Reason (e.g. the property register)"), max_length=300, required=False)

    def __init__(self, *args, elector, voting=False, **kw):
        kw.setdefault("prefix", f"c{elector.pk}")
        super().__init__(*args, **kw)
        self.elector = elector
        self.voting = voting
        if voting:  # once voting runs only a compensation agreement may still be recorded (services.correct)
            self.fields["field"].choices = [c for c in FIELD_LABELS if c[0] == "compensation_agreed"]
        self.fields["owner"].choices = [("", "—")] + [
            (o.person_id, mask_name(o.person.name)) for o in elector.owners.all()
        ]

    def service_value(self, user):
        """The value as services.correct takes it; anything unreadable goes through as None so
        that the service refuses it with its own message."""
        field, value = self.cleaned_data["field"], self.cleaned_data["value"].strip()
        if field == "area":
            return value
        if field in ("affected", "compensation_agreed", "developer_held"):
            word = value.lower()
            return True if word in YES_WORDS else False if word in NO_WORDS else None
        if field in ("voter", "remove_owner"):
            return self.cleaned_data["owner"]
        person = find_person(user, value) if value else None
        return person.pk if person else None


class ProxyForm(forms.Form):
    name = forms.CharField(label=_("Proxy's name"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("Proxy's mobile number (optional)"),
        max_length=20,
        required=False,
        help_text=_("If the proxy is registered, he can then vote for this home on his phone."),
    )
    document = forms.FileField(
        label=_("Signed written authorisation (PDF or photo)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,image/*"}),
    )

    def clean_document(self):
        return check_document(self.cleaned_data.get("document"))


# --- paper ballots --------------------------------------------------------------------------


class PaperForm(ChoicesMixin, forms.Form):
    voter = forms.TypedChoiceField(label=_("Signed by"), coerce=int)
    by_proxy = forms.BooleanField(label=_("Signed by the recorded proxy on the owner's behalf"), required=False)
    photo = forms.FileField(
        label=_("Photo of the signed ballot"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, elector, matters, **kw):
        super().__init__(*args, **kw)
        owners = list(elector.owners.all())
        self.fields["voter"].choices = [(o.person_id, mask_name(o.person.name)) for o in owners]
        if elector.voter_id:
            self.fields["voter"].initial = elector.voter_id
        self.add_matters(matters)

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        return clean_photo(upload) if upload else None


class HomeSearchForm(forms.Form):
    q = forms.CharField(label=_("Home number"), max_length=20, required=False)


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=12,
        error_messages={"required": _("Write the receipt code of your ballot.")},
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper().replace(" ", "")
