#!/usr/bin/env bash
# make bench-data SIZE=… / make bench: the scale data set and the load test (docs/bench.md).
# Both use the PostgreSQL database of DATABASE_URL (default linli_bench) and the keys under
# LINLI_VAR_DIR (default var/bench): the phones loaded by bench-data are read with them.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=linli.settings
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/linli_bench}"
export LINLI_VAR_DIR="${LINLI_VAR_DIR:-$PWD/var/bench}"

case "${1:-bench}" in
  embedded)  # SQLite in a temp dir: neither PostgreSQL nor the bench keys are used
    env -u DATABASE_URL -u LINLI_VAR_DIR $PY bench/embedded.py ${EMBEDDED_ARGS:-}
    exit
    ;;
esac

bash scripts/services.sh >/dev/null

case "${1:-bench}" in
  data)
    $PY manage.py bench_data --size "${SIZE:-compound}" ${SEED:+--seed "$SEED"}
    # The dashboards read the summaries of closed months, as in production after its first night.
    $PY manage.py results_summarise --since "$(date -d '-12 months' +%Y-%m)"
    ;;
  bench)
    # First the embedded default's numbers (a miss is reported in its results, not fatal here).
    env -u DATABASE_URL -u LINLI_VAR_DIR $PY bench/embedded.py ${EMBEDDED_ARGS:-} || echo "bench: an embedded target was missed (bench/RESULTS-embedded.md)"
    if ! command -v wrk >/dev/null 2>&1; then
      echo "bench: installing wrk"
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    fi
    $PY manage.py migrate --noinput -v0
    $PY manage.py collectstatic --noinput -v0
    $PY bench/run.py ${BENCH_ARGS:-}
    ;;
  *)
    echo "usage: scripts/bench.sh data|bench|embedded" >&2
    exit 2
    ;;
esac
