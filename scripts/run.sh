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

# The periodic work every 5 minutes, for as long as the server runs ($$ becomes gunicorn's pid
# after exec): case reminders, escalation, auto-close and revisits; messages held for quiet
# hours and due retries; votes opening and closing (a ballot after closing time is refused
# whenever this runs); from 8:00 the daily digest (it sends once a day). In production: cron
# or Celery beat.
(
  while kill -0 $$ 2>/dev/null; do
    $PY manage.py cases_tick >/dev/null 2>&1 || true
    $PY manage.py votes_tick >/dev/null 2>&1 || true
    $PY manage.py resolutions_tick >/dev/null 2>&1 || true
    $PY manage.py volunteers_tick >/dev/null 2>&1 || true
    $PY manage.py rosters_tick >/dev/null 2>&1 || true
    $PY manage.py notices_send >/dev/null 2>&1 || true
    [ "$(date +%H)" -ge 8 ] && { $PY manage.py notices_digest >/dev/null 2>&1 || true; }
    [ "$(date +%H)" = 03 ] && { $PY manage.py retention_sweep >/dev/null 2>&1 || true; }
    [ "$(date +%H)" = 03 ] && { $PY manage.py results_summarise --daily >/dev/null 2>&1 || true; }
    [ "$(date +%d)" = 01 ] && { $PY manage.py results_reports --if-missing >/dev/null 2>&1 || true; }
    sleep 300
  done
) &

echo
echo "linli is serving on http://127.0.0.1:${PORT}/  (Ctrl-C stops it)"
exec .venv/bin/gunicorn linli.wsgi:application \
  --bind "127.0.0.1:${PORT}" --workers "${WEB_CONCURRENCY:-3}" --worker-class sync \
  --access-logfile - --log-level warning
