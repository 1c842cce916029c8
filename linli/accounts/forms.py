from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Username or the mobile number of the user's person (see accounts/backends.py)."""

    username = forms.CharField(
        label=_("Username or mobile phone"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    error_messages = {
        "invalid_login": _("The username or phone number and the password do not match. Please try again."),
        "inactive": _("This account is switched off. Please ask your community worker."),
    }
