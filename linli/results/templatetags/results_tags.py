"""Template helpers of the results pages: a figure as text, and whether the menu shows Results."""

from django import template
from django.utils.formats import number_format

from linli.results import access

register = template.Library()


@register.filter
def figure(value, indicator) -> str:
    """A figure as shown: "—" where it does not apply or cannot be computed (no cases, no
    homes), a percent sign for rates."""
    if value is None:
        return "—"
    text = number_format(value, use_l10n=True)
    return f"{text}%" if indicator.unit == "percent" else text


@register.simple_tag
def sees_results(user) -> bool:
    return access.is_staff(user)
