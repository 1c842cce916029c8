"""Which database the results read their aggregates from.

With DATABASE_REPLICA_URL set, settings add a `replica` alias and the results pages and API
send their grouped queries there, leaving the primary to the writes. A replica lags by a
moment; the figures are aggregates over months, so that lag does not matter to them (the
access checks, which must see a grant just given, still read the primary)."""

from django.conf import settings

REPLICA = "replica"


def reading_alias() -> str:
    return REPLICA if REPLICA in settings.DATABASES else "default"
