#!/usr/bin/env bash
# make soak: mixed traffic from every role on two app processes, with an app process killed and
# Redis restarted mid-run (bench/soak.py, docs/soak.md). SOAK_SECONDS=120 for a quick run.
# Uses DATABASE_URL (default linli_bench_soak), filled with the compound bench data when it has none.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=linli.settings
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/linli_bench_soak}"
export LINLI_VAR_DIR="${LINLI_VAR_DIR:-$PWD/var/soak}"

bash scripts/services.sh >/dev/null
command -v redis-server >/dev/null 2>&1 || echo "soak: redis-server is not installed: the Redis fault is skipped (see bench/SOAK.md)"
if ! $PY - <<'PYEOF' 2>/dev/null
import django; django.setup()
from linli.accounts.models import User
raise SystemExit(0 if User.objects.filter(username="bench-clerk").exists() else 1)
PYEOF
then
  echo "soak: no bench data in $DATABASE_URL: loading the compound data set"
  $PY manage.py bench_data --size compound
fi
$PY manage.py migrate --noinput -v0
$PY manage.py collectstatic --noinput -v0
$PY bench/soak.py ${SOAK_ARGS:-}
