#!/usr/bin/env bash
# make test: lint, migrations check, the whole suite on SQLite, then on PostgreSQL.
# With CI set, a PostgreSQL run that cannot connect is a failure, never a skip.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=linli.settings
export LINLI_VAR_DIR="${LINLI_VAR_DIR:-$PWD/var/test}"
# No persistent connections in tests: a live-server thread holding one blocks dropping the test database.
export CONN_MAX_AGE=0
fail=0

bash scripts/services.sh

echo "== ruff"
.venv/bin/ruff check linli || fail=1
.venv/bin/ruff format --check linli || fail=1

echo "== migrations are complete"
$PY manage.py makemigrations --check --dry-run -v1 || fail=1

echo "== messages compile"
shopt -s nullglob
for po in linli/locale/*/LC_MESSAGES/django.po; do
  msgfmt --check -o /dev/null "$po" 2>/dev/null || { command -v msgfmt >/dev/null && { echo "bad $po"; fail=1; }; }
done

WORKERS="${TEST_WORKERS:-2}"
echo "== tests on SQLite"
env -u DATABASE_URL $PY -m pytest -n "$WORKERS" "$@"
rc=$?; [ $rc -eq 0 ] || fail=1

PG_URL="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/linli}"
echo "== tests on PostgreSQL ($PG_URL)"
if $PY - "$PG_URL" <<'PYEOF'
import sys, psycopg, dj_database_url
c = dj_database_url.parse(sys.argv[1])
psycopg.connect(host=c["HOST"], port=c["PORT"] or 5432, user=c["USER"], password=c["PASSWORD"] or None, dbname="postgres", connect_timeout=5).close()
PYEOF
then
  DATABASE_URL="$PG_URL" $PY -m pytest -n "$WORKERS" "$@"
  rc=$?; [ $rc -eq 0 ] || fail=1
else
  if [ -n "${CI:-}" ]; then
    echo "PostgreSQL is not reachable at $PG_URL: failing, as CI must test on PostgreSQL"
    fail=1
  else
    echo "WARNING: PostgreSQL is not reachable at $PG_URL: the PostgreSQL run was NOT done"
  fi
fi

[ $fail -eq 0 ] && echo "make test: all passed" || echo "make test: FAILED"
exit $fail
