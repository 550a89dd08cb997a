#!/usr/bin/env bash
# Components are looked up by name ("packages_$c", "start_$c"), which shellcheck cannot follow.
# shellcheck disable=SC2034,SC2317
# Installs (Debian packages) and starts what the test suites need, then says what is
# missing. Idempotent and fast when everything is already there: it only looks at files
# and pings services; apt-get runs (after one `apt-get update`) only when a package is missing.
#
#   bash scripts/test-services.sh                 # the default components below
#   bash scripts/test-services.sh chromium        # only some of them
#   TEST_SERVICES="mariadb cups" bash scripts/test-services.sh
#
# Exit status: 0, also when something could not be made available (a loud line says what;
# the suites that need it skip) — except under CI=true, where that is a failure (1).
#
# Adding a component NAME: define `packages_NAME` ("debian-package=/path/it/installs ...")
# and, for a daemon, `start_NAME` (returns 0 once the service answers; on failure sets
# `why`), then add NAME to DEFAULT_COMPONENTS.
set -uo pipefail

DEFAULT_COMPONENTS="mariadb redis chromium poppler zbar cups ipp nginx prometheus"

# ---------------------------------------------------------------- components
# MariaDB on 127.0.0.1:3306 (or the host/port of TEST_DATABASE_URL when that is local),
# root with an empty password and a database `test`, as test/support/databases.ts expects.
packages_mariadb="mariadb-server=/usr/sbin/mariadbd mariadb-client=/usr/bin/mariadb-admin"
DB_HOST=127.0.0.1
DB_PORT=3306
if [[ "${TEST_DATABASE_URL:-}" =~ ^(mysql|mariadb)://([^@/]*@)?([^:/]+)(:([0-9]+))? ]]; then
  DB_HOST="${BASH_REMATCH[3]}"
  DB_PORT="${BASH_REMATCH[5]:-3306}"
fi
mariadb_answers() {
  # ping is 0 whenever the server is alive, even if it denies this user: liveness only.
  mariadb-admin ping --connect-timeout=2 -h"$DB_HOST" -P"$DB_PORT" >/dev/null 2>&1
}
start_mariadb() {
  if ! mariadb_answers; then
    if [[ "$DB_HOST" != 127.0.0.1 && "$DB_HOST" != localhost ]]; then
      why="nothing answers at $DB_HOST:$DB_PORT (TEST_DATABASE_URL), and it is not this machine's to start"
      return 1
    fi
    as_root mkdir -p /run/mysqld && as_root chown mysql:mysql /run/mysqld 2>/dev/null
    daemon start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
    wait_for 30 mariadb_answers || {
      why="mariadbd did not answer within 30 s (see /var/log/mysql/error.log)"
      return 1
    }
  fi
  # The default URL logs in as root without a password; a fresh Debian install only lets
  # root in through the socket, so a server this script installed is opened up for tests.
  if [[ -z "${TEST_DATABASE_URL:-}" ]] && ! mariadb --connect-timeout=2 -h127.0.0.1 -P"$DB_PORT" -uroot -e 'select 1' test >/dev/null 2>&1; then
    local sql="CREATE DATABASE IF NOT EXISTS test CHARACTER SET utf8mb4;"
    if [[ " $installed " == *" mariadb-server "* ]]; then
      sql+=" ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');"
    fi
    as_root mariadb -uroot -e "$sql" >/dev/null 2>&1 || true
    mariadb --connect-timeout=2 -h127.0.0.1 -P"$DB_PORT" -uroot -e 'select 1' test >/dev/null 2>&1 || {
      why="it runs, but root@127.0.0.1 without a password cannot use database test; set TEST_DATABASE_URL=mysql://user:pass@host:port/db"
      return 1
    }
  fi
}

# Redis on 127.0.0.1:6379 (Socket.IO adapter, several-instance tests).
packages_redis="redis-server=/usr/bin/redis-server redis-tools=/usr/bin/redis-cli"
redis_answers() { [[ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" == PONG ]]; }
start_redis() {
  redis_answers && return 0
  daemon redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  wait_for 10 redis_answers || {
    why="redis-server did not answer within 10 s"
    return 1
  }
}

# Chromium for the browser tests (playwright-core with executablePath /usr/bin/chromium).
# Without recommends: those are desktop services; the fonts are what pages need.
packages_chromium="chromium=/usr/lib/chromium/chromium fonts-liberation=/usr/share/fonts/truetype/liberation"
start_chromium() {
  # A binary that is there but cannot start is checked once, right after installing it.
  [[ " $installed " == *" chromium "* ]] || return 0
  timeout 60 /usr/lib/chromium/chromium --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$(mktemp -d)" --dump-dom 'data:text/html,<p>chromium-ok</p>' 2>/dev/null |
    grep -q chromium-ok || {
    why="/usr/lib/chromium/chromium is installed but did not render a page headless"
    return 1
  }
}

# pdftoppm/pdftotext for checking the invitation PDFs.
packages_poppler="poppler-utils=/usr/bin/pdftoppm"

# zbarimg, to read the QR codes back from rendered PDFs and screenshots.
packages_zbar="zbar-tools=/usr/bin/zbarimg"

# CUPS (the cups printer driver): cupsd answering on localhost:631.
packages_cups="cups=/usr/sbin/cupsd cups-client=/usr/bin/lpstat"
cups_answers() { lpstat -h localhost:631 -r 2>/dev/null | grep -q "is running"; }
start_cups() {
  cups_answers && return 0
  as_root mkdir -p /run/cups
  daemon /usr/sbin/cupsd
  wait_for 15 cups_answers || {
    why="cupsd did not answer on localhost:631 within 15 s (see /var/log/cups/error_log)"
    return 1
  }
}

# ippeveprinter (a real IPP Everywhere printer, started by the suites themselves); it
# registers over DNS-SD, so it needs the system D-Bus and avahi-daemon running.
packages_ipp="cups-ipp-utils=/usr/sbin/ippeveprinter dbus=/usr/bin/dbus-daemon dbus-bin=/usr/bin/dbus-send avahi-daemon=/usr/sbin/avahi-daemon"
dbus_answers() {
  dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.GetId >/dev/null 2>&1
}
start_ipp() {
  if ! dbus_answers; then
    as_root mkdir -p /run/dbus
    as_root rm -f /run/dbus/pid
    daemon dbus-daemon --system --fork
    wait_for 10 dbus_answers || {
      why="the system dbus-daemon did not start"
      return 1
    }
  fi
  if ! /usr/sbin/avahi-daemon --check 2>/dev/null; then
    daemon /usr/sbin/avahi-daemon -D --no-chroot
    wait_for 10 /usr/sbin/avahi-daemon --check || {
      why="avahi-daemon did not start"
      return 1
    }
  fi
}

# nginx and Prometheus: the suites start their own (a generated config, a free loopback
# port, a child process), so only the binaries are needed; the packages' own services are
# kept from starting during the install (see policy-rc.d below) and never started here.
packages_nginx="nginx=/usr/sbin/nginx"
packages_prometheus="prometheus=/usr/bin/prometheus"

# ---------------------------------------------------------------- machinery
loud() { printf '\n*** %s ***\n\n' "$*" >&2; }

wait_for() { # SECONDS COMMAND...: polls COMMAND every 0.25 s
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS >= deadline)) && return 1
    sleep 0.25
  done
}

if [[ $(id -u) -eq 0 ]]; then
  root_cmd=()
  can_root=1
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  root_cmd=(sudo -n)
  can_root=1
else
  root_cmd=()
  can_root=0
fi
as_root() {
  if ((can_root)); then "${root_cmd[@]}" "$@"; else "$@"; fi
}
# Starts a daemon detached from this script: no lock (fd 9) and none of our output pipes,
# or it would hold the lock forever and keep `npm test | tee` from ever ending.
daemon_log="${TMPDIR:-/tmp}/invite-station-services.$(id -u).log"
daemon() {
  echo "$(date -u +%FT%TZ) starting: $*" >>"$daemon_log" 2>/dev/null
  as_root "$@" </dev/null >>"$daemon_log" 2>&1 9>&-
}

components=("$@")
((${#components[@]})) || read -r -a components <<<"${TEST_SERVICES:-$DEFAULT_COMPONENTS}"

# One run at a time on a machine: suites started in parallel share these services.
if command -v flock >/dev/null 2>&1 && exec 9>>"${TMPDIR:-/tmp}/invite-station-test-services.$(id -u).lock"; then
  flock -w 900 9 || true
fi

# 1. Which Debian packages are missing (by a file each one installs).
missing_pkgs=()
for c in "${components[@]}"; do
  var="packages_$c"
  if [[ -z "${!var+x}" ]]; then
    loud "test-services: unknown component '$c' (known: $DEFAULT_COMPONENTS)"
    exit 2
  fi
  for entry in ${!var}; do
    [[ -e "${entry#*=}" ]] || missing_pkgs+=("${entry%%=*}")
  done
done

# 2. Install them, all in one apt-get run.
installed=""
install_error=""
if ((${#missing_pkgs[@]})); then
  if ((can_root)) && command -v apt-get >/dev/null 2>&1; then
    echo "test-services: installing ${missing_pkgs[*]} (Debian packages) ..." >&2
    apt_opts=(-y -q -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
    log="${TMPDIR:-/tmp}/invite-station-apt.$(id -u).log"
    # A package's own scripts must not start its system service (nginx would take port 80):
    # policy-rc.d answering 101 forbids it during this install; the daemons the suites need
    # are started by start_NAME below. An existing policy file is left alone.
    policy=/usr/sbin/policy-rc.d
    own_policy=0
    if [[ ! -e $policy ]] && printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null 2>&1 && as_root chmod 755 "$policy"; then
      own_policy=1
    fi
    # 9>&-: a package's own scripts may start its daemon, which must not inherit the lock.
    if as_root apt-get -q -o DPkg::Lock::Timeout=600 update </dev/null >"$log" 2>&1 9>&- &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install "${apt_opts[@]}" --no-install-recommends "${missing_pkgs[@]}" </dev/null >>"$log" 2>&1 9>&-; then
      installed="${missing_pkgs[*]}"
    else
      install_error="apt-get failed (log: $log): $(tail -n 1 "$log")"
    fi
    ((own_policy)) && as_root rm -f "$policy"
  else
    install_error="cannot install Debian packages here (not root, no password-less sudo, or no apt-get)"
  fi
fi

# 3. Start what must run, and collect what is still unavailable.
unavailable=0
for c in "${components[@]}"; do
  var="packages_$c"
  absent=()
  for entry in ${!var}; do
    [[ -e "${entry#*=}" ]] || absent+=("${entry%%=*}")
  done
  if ((${#absent[@]})); then
    loud "$c is not available: missing ${absent[*]}${install_error:+ — $install_error}; install it: apt-get install ${absent[*]}. The tests that need $c will SKIP (and fail under CI=true)."
    unavailable=1
    continue
  fi
  if declare -F "start_$c" >/dev/null; then
    why=""
    if ! "start_$c"; then
      [[ -n "$why" ]] || why="it could not be started"
      ((can_root)) || why+=" (not root: start it yourself)"
      loud "$c is not available: $why. The tests that need $c will SKIP (and fail under CI=true)."
      unavailable=1
    fi
  fi
done

if ((unavailable)) && [[ "${CI:-}" == true ]]; then
  echo "test-services: a component the tests need is missing and CI=true: failing." >&2
  exit 1
fi
exit 0
