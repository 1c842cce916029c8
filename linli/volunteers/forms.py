"""Forms for the pages: the shapes of input only; the rules are in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ActivityKind


class _Base(forms.Form):
    team = forms.ChoiceField(label=_("Team"))
    kind = forms.ChoiceField(label=_("Kind of activity"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Title of the activity"), max_length=80)
    venue = forms.CharField(label=_("Where volunteers meet"), max_length=120)
    description = forms.CharField(
        label=_("What volunteers will do"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    capacity = forms.IntegerField(
        label=_("Number of places"), required=False, min_value=1, help_text=_("Leave empty for no limit.")
    )

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [(t.pk, t.name) for t in teams]


class ActivityForm(_Base):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class EditForm(forms.Form):
    """Changing a published activity: its team and kind stay."""

    title = forms.CharField(label=_("Title of the activity"), max_length=80)
    venue = forms.CharField(label=_("Where volunteers meet"), max_length=120)
    description = forms.CharField(
        label=_("What volunteers will do"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    capacity = forms.IntegerField(
        label=_("Number of places"), required=False, min_value=1, help_text=_("Leave empty for no limit.")
    )
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )


class SeriesForm(_Base):
    rrule = forms.CharField(
        label=_("Repeats (RRULE)"),
        initial="FREQ=WEEKLY;BYDAY=SU",
        max_length=200,
        help_text=_(
            "E.g. FREQ=WEEKLY;BYDAY=SU for every Sunday, FREQ=MONTHLY;BYMONTHDAY=-1 for the last day of each month."
        ),
    )
    first_start = forms.DateTimeField(
        label=_("First start"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration_minutes = forms.IntegerField(label=_("Duration in minutes"), min_value=1, max_value=1440, initial=120)
    skip_holidays = forms.BooleanField(label=_("Skip Chinese public holidays"), required=False, initial=True)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling (sent to the volunteers)"), max_length=200)


class AdjustForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes to add (negative to remove)"))
    reason = forms.CharField(label=_("Reason for the adjustment"), max_length=200)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Period until"), widget=forms.DateInput(attrs={"type": "date"}))


class JoinForm(forms.Form):
    message = forms.CharField(label=_("A word to the team (optional)"), max_length=300, required=False)
