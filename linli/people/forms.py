from django import forms
from django.utils.translation import gettext_lazy as _

from linli.people.models import Organisation


class RevealForm(forms.Form):
    """Why a private value is needed: a common reason, or one in the user's own words."""

    REASONS = [
        ("request", _("Follow-up on a request")),
        ("visit", _("Door-to-door visit")),
        ("emergency", _("Emergency contact")),
        ("other", _("Other (say why below)")),
    ]
    reason = forms.ChoiceField(label=_("Reason"), choices=REASONS, widget=forms.RadioSelect, required=False)
    note = forms.CharField(label=_("In your own words"), max_length=150, required=False)

    def clean(self):
        data = super().clean()
        reason, note = data.get("reason"), (data.get("note") or "").strip()
        if not reason and not note:
            raise forms.ValidationError(_("Please say why you need to see this."), code="no_reason")
        if reason == "other" and not note:
            self.add_error("note", _("Please say why in a few words."))
        return data

    def reason_text(self) -> str:
        """The reason as logged: the chosen label in the user's language, then the note."""
        labels = dict(self.REASONS)
        reason, note = self.cleaned_data.get("reason"), self.cleaned_data.get("note", "").strip()
        parts = [str(labels[reason])] if reason and reason != "other" else []
        if note:
            parts.append(note)
        return ": ".join(parts)


class OrganisationFilter(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Organisation.Kind.choices], required=False
    )
