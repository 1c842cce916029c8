"""Forms of the public case pages: report a problem, support a case, follow one, rate it.

They check what a person typed and say what is wrong in his language; the rules of the case
itself (may it be rated now, is that stairwell in that building) stay in services/lifecycle.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.lib.images import clean_photo
from linli.lib.normalize import normalize_phone
from linli.places.models import Building, Stairwell

from .models import Category, Kind
from .services import MAX_PHOTOS


class PhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True
    template_name = "django/forms/widgets/file.html"

    def value_from_datadict(self, data, files, name):
        return files.getlist(name)


class PhotosField(forms.Field):
    """Up to MAX_PHOTOS photos, each checked and re-encoded (no EXIF) before anything is saved."""

    widget = PhotosInput

    def clean(self, value):
        files = [f for f in (value or []) if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(
                _("At most %(n)s photos. Please choose fewer."), code="too_many_photos", params={"n": MAX_PHOTOS}
            )
        photos, errors = [], []
        for number, upload in enumerate(files, start=1):
            try:
                photos.append(clean_photo(upload))
            except ValidationError as exc:
                errors.append(
                    ValidationError(
                        gettext("Photo %(n)s: %(error)s") % {"n": number, "error": " ".join(exc.messages)},
                        code=exc.code if hasattr(exc, "code") else "bad_photo",
                    )
                )
        if errors:
            raise ValidationError(errors)
        return photos


def _phone(value: str) -> str:
    try:
        return normalize_phone(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="bad_phone") from None


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class StairwellChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.building.name} {obj.name}"


class CategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ContactForm(forms.Form):
    """Name and mobile number of someone who is not logged in: the case is his, found by phone."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=50,
        error_messages={"required": _("Please write your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        help_text=_("Only the people handling your case see it; you need its last 4 digits to follow the case."),
        error_messages={"required": _("Please write your mobile number.")},
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_name(self):
        return self.cleaned_data["name"].strip()

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])


class IntakeForm(ContactForm):
    building = PlaceChoiceField(
        label=_("Building"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=_("Not in a building / not sure"),
        error_messages={"invalid_choice": _("That building is not in this compound. Please choose again.")},
    )
    stairwell = StairwellChoiceField(
        label=_("Stairwell"),
        queryset=Stairwell.objects.none(),
        required=False,
        empty_label=_("The whole building / not sure"),
        error_messages={"invalid_choice": _("That stairwell is not in this compound. Please choose again.")},
    )
    category = CategoryField(
        label=_("What is it about?"),
        queryset=Category.objects.filter(active=True),
        to_field_name="code",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Please choose what it is about."),
            "invalid_choice": _("Please choose one of the kinds of problem shown."),
        },
    )
    kind = forms.ChoiceField(
        label=_("What do you want?"),
        choices=[("", _("Not sure"))] + [(k.value, capfirst(k.label)) for k in Kind if k != Kind.DISPUTE],
        required=False,
        error_messages={"invalid_choice": _("Please choose one of the options shown.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=80,
        help_text=_("In a few words, e.g. “Stairwell light on the 3rd floor is broken”."),
        error_messages={"required": _("Please write a short title.")},
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please say what happened.")},
    )
    location = forms.CharField(
        label=_("Exact spot (optional)"),
        max_length=120,
        required=False,
        help_text=_("e.g. “3rd floor landing”, “by the bicycle shed”."),
    )
    photos = PhotosField(label=_("Photos (optional)"), required=False)
    on_public_board = forms.BooleanField(label=_("Show on the compound's public board"), required=False, initial=True)
    public_details = forms.BooleanField(label=_("Show my name and home on the board"), required=False, initial=False)

    field_order = [
        "building",
        "stairwell",
        "category",
        "kind",
        "title",
        "description",
        "location",
        "photos",
        "name",
        "phone",
        "on_public_board",
        "public_details",
    ]

    def __init__(self, *args, compound, needs_contact: bool, narrow_to=None, **kwargs):
        """`narrow_to`: a building whose stairwells alone are offered (display only: a posted
        stairwell is checked against the whole compound, and against the building in clean)."""
        super().__init__(*args, **kwargs)
        self.compound = compound
        self.fields["building"].queryset = Building.objects.filter(compound=compound)
        stairwells = Stairwell.objects.filter(building__compound=compound).select_related("building")
        self.fields["stairwell"].queryset = stairwells.filter(building=narrow_to) if narrow_to else stairwells
        # Choosing a building reloads its stairwells; a place or category shows similar open cases.
        self.fields["building"].widget.attrs.update(
            {
                "hx-get": reverse("report:stairwell_options"),
                "hx-target": "#stairwell-box",
                "hx-include": "[name='compound'],[name='category']",
            }
        )
        self.fields["stairwell"].widget.attrs.update(
            {
                "hx-get": reverse("report:similar"),
                "hx-target": "#similar",
                "hx-swap": "outerHTML",
                "hx-include": "[name='compound'],[name='building'],[name='category']",
            }
        )
        if not needs_contact:
            del self.fields["name"]
            del self.fields["phone"]

    def clean(self):
        data = super().clean()
        building, stairwell = data.get("building"), data.get("stairwell")
        if building and stairwell and stairwell.building_id != building.pk:
            self.add_error("stairwell", _("That stairwell is not in the building you chose. Please choose again."))
        return data


class SupportForm(ContactForm):
    """Support an open case: the name and number of someone not logged in."""


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Case code"),
        max_length=12,
        help_text=_("As on your confirmation, e.g. 2611-7K3QX9."),
        error_messages={"required": _("Please write the case code.")},
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}),
    )
    last4 = forms.CharField(
        label=_("Last 4 digits of your mobile number"),
        max_length=4,
        min_length=4,
        error_messages={
            "required": _("Please write the last 4 digits of your mobile number."),
            "min_length": _("Please write exactly 4 digits."),
            "max_length": _("Please write exactly 4 digits."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper().replace(" ", "")

    def clean_last4(self):
        value = self.cleaned_data["last4"].strip()
        if not value.isdigit():
            raise ValidationError(_("Please write exactly 4 digits."), code="bad_last4")
        return value


class RateForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        choices=[(n, n) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose from 1 to 5 stars."),
            "invalid_choice": _("Choose from 1 to 5 stars."),
        },
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReopenForm(forms.Form):
    note = forms.CharField(
        label=_("What is still not right?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please say why the problem is not solved.")},
    )
