"""Property-based tests: random sequences of actions by random people, at random times.

Whatever happens: no case is ever resolved or closed after resolution without a public
reply; a closed case stays closed unless it is reopened; a refused action changes nothing;
the clock never runs while a case is on hold."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from linli.cases import deadlines, lifecycle, services
from linli.cases.lifecycle import CaseError
from linli.cases.models import Case, Event, Status

from .conftest import MONDAY

ACTIONS = [*lifecycle.TRANSITIONS, "reply", "rate", "tick"]
ACTORS = ["dave", "carol", "alice", "paul", "bob"]


def _snapshot(case):
    case.refresh_from_db()
    return (case.status, case.version, case.resolved_at, case.closed_at, case.rating, case.resolve_due)


def _remaining(case, at):
    return deadlines.workdays_left(case.resolve_due, at)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_sequences_keep_the_rules(cw, new_case, data):
    with transaction.atomic():
        case = new_case()
        other = new_case(reporter=cw.p_neighbour, title="另一件")  # a merge target
        now = MONDAY
        held_with = None  # working days left when the hold began
        for _step in range(data.draw(st.integers(min_value=1, max_value=30), label="steps")):
            who = data.draw(st.sampled_from(ACTORS), label="who")
            user = getattr(cw, who)
            # Mostly actions this person may take now (so that sequences get far), sometimes any.
            # Final ones (reject, merge) only rarely, or every run would end there.
            allowed = [a for a in lifecycle.available(case, user) if a not in ("reject", "merge")]
            allowed += ["reply", "rate", "tick"]
            anything = data.draw(st.integers(0, 5), label="any") == 0
            action = data.draw(st.sampled_from(ACTIONS if anything else allowed), label="action")
            hours = data.draw(st.integers(min_value=0, max_value=24 * 9), label="hours")
            with_note = data.draw(st.booleans(), label="note")
            now += dt.timedelta(hours=hours)
            before = _snapshot(case)
            note = "说明" if with_note else ""
            try:
                if action == "reply":
                    services.reply(case=case, user=user, text="已处理" if with_note else "", now=now)
                elif action == "rate":
                    services.rate(case=case, user=user, stars=data.draw(st.integers(0, 6), label="stars"), now=now)
                elif action == "tick":
                    services.tick(now=now)
                else:
                    lifecycle.perform(
                        case, action, user=user, note=note, now=now, target=other, organisation=None, version=None
                    )
            except (PermissionDenied, ValidationError, CaseError):
                assert _snapshot(case) == before, f"refused {action} by {who} changed the case"
                continue
            after = _snapshot(case)
            event(f"{action}->{after[0]}")
            status = after[0]

            if status in (Status.RESOLVED, Status.CLOSED) and case.resolved_at is not None:
                assert case.first_reply_at is not None
                assert case.events.filter(type=Event.Type.REPLY, public=True, at__lte=case.resolved_at).exists()
            if before[0] == Status.CLOSED and status != Status.CLOSED:
                assert action == "reopen"
            if before[0] in (Status.REJECTED, Status.MERGED):
                assert status == before[0], "rejected and merged cases are final"

            if status == Status.ON_HOLD and before[0] != Status.ON_HOLD:
                held_with = _remaining(case, now)
            if status == Status.ON_HOLD:
                assert not case.is_overdue(now + dt.timedelta(days=400))
                assert not Case.objects.overdue(now + dt.timedelta(days=400)).filter(pk=case.pk).exists()
            if before[0] == Status.ON_HOLD and status != Status.ON_HOLD and held_with is not None and held_with >= 0:
                assert _remaining(case, now) == held_with, "the clock ran while the case was on hold"
                held_with = None
        transaction.set_rollback(True)
