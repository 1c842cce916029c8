"""The notification hook. Cases announce what happened; the notices app (issue 8) connects a
receiver that decides who hears of it and through which channel.

    from linli.cases.signals import case_notification
    case_notification.connect(receiver)   # receiver(sender, kind, case_id, data, **kw)

Sent only after the transaction commits, so a rolled-back change never notifies anyone.
"""

from django.db import transaction
from django.dispatch import Signal

case_notification = Signal()

KINDS = (
    "submitted",
    "accepted",
    "dispatched",
    "reply",
    "resolved",
    "closed",
    "returned",
    "reopened",
    "rejected",
    "merged",
    "soon_due",
    "overdue",
    "escalated",
    "revisit",
)


def notify(kind: str, case_id: int, **data) -> None:
    assert kind in KINDS, kind
    transaction.on_commit(lambda: case_notification.send(sender="cases", kind=kind, case_id=case_id, data=data))
