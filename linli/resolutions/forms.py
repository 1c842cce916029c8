from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from linli.lib.images import clean_photo
from linli.people.models import Organisation


class ResolutionForm(forms.Form):
    title = forms.CharField(label=_("Resolution"), max_length=200)
    text = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    owner = forms.ModelChoiceField(label=_("Responsible organisation"), queryset=Organisation.objects.none())
    due = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))
    public = forms.BooleanField(label=_("Show on the compound's public page"), required=False, initial=True)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            self.fields["owner"].queryset = owners


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=_("Photo (optional)"), required=False)

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        try:
            return clean_photo(upload)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages[0]) from None


class DropForm(forms.Form):
    reason = forms.CharField(label=_("Why it is dropped"), max_length=300)
