from django import template

from ..sharing import coefficient_text
from ..sharing import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen):
    """Fen shown as yuan with two decimals: 12345 → 123.45."""
    if fen is None or fen == "":
        return ""
    return _yuan(int(fen))


@register.filter
def coefficient(value):
    return "" if value is None else coefficient_text(value)
