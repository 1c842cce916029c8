"""Named permissions on a case: `user.has_perm("cases.resolve_case", case)`.

Each action of the lifecycle has one permission; docs/decisions/0004 has the table.
"""

import rules

from . import access

is_staff = rules.predicate(access.is_staff_for, name="is_case_staff")
is_handler = rules.predicate(access.is_handler_for, name="is_case_handler")
is_reporter = rules.predicate(access.is_reporter_of, name="is_case_reporter")
is_leader = rules.predicate(access.is_leader_for, name="is_case_leader")

PERMISSIONS = {
    "accept": is_handler | is_staff,
    "dispatch": is_handler | is_staff,
    "start": is_handler | is_staff,
    "return": is_handler,
    "hold": is_handler | is_staff,
    "resume": is_handler | is_staff,
    "resolve": is_handler | is_staff,
    "close": is_reporter | is_staff,
    "reject": is_staff,
    "merge": is_handler | is_staff,
    "reopen": is_reporter | is_staff,
    "reply": is_handler | is_staff,
    "note": is_handler | is_staff | is_leader,
    "reassign": is_staff,
    "rate": is_reporter,
    "mediate": is_handler | is_staff,
    "revisit": is_staff,
    "reveal_contact": is_handler | is_staff,
    # The case's state narrows it further (services.add_photos).
    "add_photos": is_reporter | is_handler | is_staff,
}

for _action, _predicate in PERMISSIONS.items():
    rules.add_perm(f"cases.{_action}_case", _predicate)


def may(user, action: str, case) -> bool:
    return user is not None and user.has_perm(f"cases.{action}_case", case)
