"""The bell: the unread count in the top bar."""

from django import template

from ..access import own_notifications

register = template.Library()


@register.simple_tag
def unread_count(user) -> int:
    """One indexed COUNT per page (the partial index notice_unread); cached on the user for
    the request, so the feed page that also shows it asks once."""
    if not (user and user.is_authenticated):
        return 0
    cached = getattr(user, "_linli_unread", None)
    if cached is None:
        cached = own_notifications(user).unread().count()
        user._linli_unread = cached
    return cached


@register.filter
def badge(count: int) -> str:
    return "99+" if count > 99 else str(count)
