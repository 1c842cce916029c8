#!/usr/bin/env bash
# make run: migrate, load the demo once, serve with gunicorn on 127.0.0.1:$PORT.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT="${PORT:-8000}"
export DJANGO_SETTINGS_MODULE=linli.settings

$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
$PY manage.py load_demo --if-empty
$PY manage.py demo_accounts

# The periodic work (case reminders, escalation, auto-close, revisits) every 5 minutes, for as
# long as the server runs ($$ becomes gunicorn's pid after exec). In production: cron.
( while kill -0 $$ 2>/dev/null; do $PY manage.py cases_tick >/dev/null 2>&1 || true; sleep 300; done ) &

echo
echo "linli is serving on http://127.0.0.1:${PORT}/  (Ctrl-C stops it)"
exec .venv/bin/gunicorn linli.wsgi:application \
  --bind "127.0.0.1:${PORT}" --workers "${WEB_CONCURRENCY:-3}" --worker-class sync \
  --access-logfile - --log-level warning
