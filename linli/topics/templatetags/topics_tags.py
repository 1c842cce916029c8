from django import template
from django.utils.translation import gettext as _

from linli.lib.masking import mask_name

register = template.Library()


@register.simple_tag(takes_context=True)
def author_name(context, user, full=False):
    """A neighbour's name as others see it (李**); in full for moderators and for oneself."""
    if user is None:
        return _("a former user")
    viewer = context.get("request").user if context.get("request") else None
    name = user.display_name()
    if viewer is not None and viewer.pk == user.pk:
        return _("you")
    return name if full else mask_name(name)


@register.filter
def percent_of(count, threshold) -> int:
    """How far towards the threshold, 0–100."""
    try:
        return min(100, round(100 * int(count) / int(threshold)))
    except (TypeError, ValueError, ZeroDivisionError):
        return 0
