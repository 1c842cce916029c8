"""In the app: the feed itself (Notification rows, written by services.notify). Nothing to send."""

from ..models import Delivery


def send(delivery: Delivery) -> None:
    return None
