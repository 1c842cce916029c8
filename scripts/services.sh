#!/usr/bin/env bash
# Start PostgreSQL and Redis if installed but down; install what tests need from Debian's
# packages when missing (Chromium for browser tests, a CJK font). Never fails by itself:
# the test run decides whether a missing service is fatal.
set -u
have() { command -v "$1" >/dev/null 2>&1; }
apt_install() {
  [ "$(id -u)" = 0 ] && have apt-get || { echo "services: cannot install $* (not root or no apt-get)"; return 1; }
  if [ -z "${_APT_UPDATED:-}" ]; then apt-get update -qq >/dev/null 2>&1; _APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null 2>&1
}

if have pg_lsclusters; then
  for v in $(ls /etc/postgresql 2>/dev/null); do
    if ! pg_lsclusters -h 2>/dev/null | awk -v v="$v" '$1==v && $2=="main" {print $4}' | grep -q online; then
      echo "services: starting PostgreSQL $v"
      pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true
    fi
  done
fi

if have redis-server && have redis-cli && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null 2>&1 || true
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "services: installing chromium"
  apt_install chromium || true
fi
if [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  echo "services: installing a CJK font"
  apt_install fonts-wqy-microhei || true
fi
exit 0
