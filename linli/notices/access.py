"""Who sees what: a person sees only his own feed and preferences; the failed deliveries
(which name channels and addresses, masked) are for system administrators only."""

from django.http import Http404

from linli.accounts.scope import Role, scope_for

from .models import Delivery, Notification


def own_notifications(user):
    return Notification.objects.filter(user_id=user.pk)


def access_notification(user, pk) -> Notification:
    try:
        return own_notifications(user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def sees_deliveries(user) -> bool:
    return bool(user and user.is_authenticated and Role.SYSTEM_ADMIN in scope_for(user).roles)


def access_delivery(user, pk) -> Delivery:
    if not sees_deliveries(user):
        raise Http404
    try:
        return Delivery.objects.select_related("config").get(pk=pk)
    except (Delivery.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
