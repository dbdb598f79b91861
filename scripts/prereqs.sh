#!/usr/bin/env bash
# What the test suite needs besides Node and npm, made ready before any test runs. `npm test` and
# .ci/run both run this script, so the two cannot drift; README.md (Quick start) lists the same.
#
#   PostgreSQL at $TM20_TEST_PG (default postgres://postgres@127.0.0.1:5432/test): started with
#     pg_ctlcluster if it is installed here but down
#   redis-server (the cluster tests start their own, on a free port), and Redis at $TM20_TEST_REDIS
#     (default 127.0.0.1:6379; tests of one cluster instance use it): started if it is down
#   Chromium at $TM20_CHROMIUM (default /usr/bin/chromium), for the admin UI tests
#   haproxy, in front of the cluster tests' instances
#   python3 with requests (Debian's python3-requests), the BioTime API's independent client
#
# What is missing is installed with apt-get when this runs as root or with password-less sudo.
# Whatever cannot be made ready ends the script with exit code 1 and ONE line on stderr naming it
# and the command that fixes it, so no test runs and fails for a missing tool.
set -uo pipefail

pg_url="${TM20_TEST_PG:-postgres://postgres@127.0.0.1:5432/test}"
redis_addr="${TM20_TEST_REDIS:-127.0.0.1:6379}"
chromium="${TM20_CHROMIUM:-/usr/bin/chromium}"
problems=() fixes=() apt_fix=()

# ── Who can install or start things ─────────────────────────────────────────────────────────
if [ "$(id -u)" -eq 0 ]; then
  as_root=() can_root=1 show_root=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n) can_root=1 show_root="sudo "
else
  as_root=() can_root=0 show_root="sudo "
fi

# ── Programs, from Debian/Ubuntu packages ───────────────────────────────────────────────────
missing_packages() {
  command -v redis-server >/dev/null 2>&1 || echo redis-server
  # Debian's package is what puts it at the default path; another path is the user's own.
  [ -x "$chromium" ] || [ "$chromium" != /usr/bin/chromium ] || echo chromium
  command -v haproxy >/dev/null 2>&1 || echo haproxy
  python3 -c 'import requests' >/dev/null 2>&1 || echo python3-requests
}
mapfile -t packages < <(missing_packages)
if [ ${#packages[@]} -gt 0 ] && [ $can_root -eq 1 ] && command -v apt-get >/dev/null 2>&1; then
  echo "prereqs: installing ${packages[*]} (apt-get)"
  apt_log=$(mktemp)
  if ! { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q &&
         "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q "${packages[@]}"; } >"$apt_log" 2>&1; then
    problems+=("apt-get could not install ${packages[*]} ($(tail -n1 "$apt_log"))")
  fi
  rm -f "$apt_log"
  mapfile -t packages < <(missing_packages)
fi
if [ ${#packages[@]} -gt 0 ]; then
  problems+=("missing ${packages[*]}")
  apt_fix+=("${packages[@]}")
fi
[ -x "$chromium" ] || [ "$chromium" = /usr/bin/chromium ] || problems+=("no Chromium at TM20_CHROMIUM=$chromium")

# ── PostgreSQL ──────────────────────────────────────────────────────────────────────────────
if [[ "$pg_url" =~ ^postgres(ql)?://([^@/]*@)?(\[[^]]*\]|[^:/?]*)(:([0-9]+))? ]]; then
  pg_host="${BASH_REMATCH[3]:-127.0.0.1}" pg_port="${BASH_REMATCH[5]:-5432}"
  pg_host="${pg_host#[}" pg_host="${pg_host%]}"
else
  echo "prereqs: TM20_TEST_PG=$pg_url is not a postgres:// URL" >&2
  exit 1
fi
pg_answers() { (exec 3<>"/dev/tcp/$pg_host/$pg_port") 2>/dev/null; }

if ! pg_answers; then
  # A local cluster on that port, installed but down (Debian's postgresql-common).
  cluster=""
  if [[ "$pg_host" =~ ^(127\.0\.0\.1|localhost|::1)$ ]] && command -v pg_lsclusters >/dev/null 2>&1; then
    while read -r version name port _; do
      if [ "$port" = "$pg_port" ]; then cluster="$version $name"; break; fi
    done < <(pg_lsclusters -h 2>/dev/null)
  fi
  if [ -z "$cluster" ]; then
    problems+=("no PostgreSQL at $pg_host:$pg_port (README.md: Quick start)")
    apt_fix+=(postgresql)
  elif [ $can_root -eq 0 ]; then
    problems+=("PostgreSQL ${cluster/ //} is down")
    fixes+=("sudo pg_ctlcluster $cluster start")
  else
    echo "prereqs: starting PostgreSQL ${cluster/ //}"
    # shellcheck disable=SC2086 # "version name": two arguments
    "${as_root[@]}" pg_ctlcluster --skip-systemctl-redirect $cluster start >/dev/null 2>&1
    for ((i = 0; i < 30; i++)); do pg_answers && break; sleep 1; done
    if ! pg_answers; then
      problems+=("PostgreSQL ${cluster/ //} did not start")
      fixes+=("${show_root}pg_ctlcluster $cluster start")
    fi
  fi
fi
# Where psql is at hand, the tests' own login too: a missing database or password fails every test.
if pg_answers && command -v psql >/dev/null 2>&1 && ! err=$(psql "$pg_url" -Atqc 'SELECT 1' 2>&1 >/dev/null); then
  problems+=("PostgreSQL refuses $pg_url: ${err%%$'\n'*} (README.md: Quick start)")
fi

# ── Redis ───────────────────────────────────────────────────────────────────────────────────
# A throw-away local Redis (nothing kept on disk) needs no root: start one where none answers.
redis_host="${redis_addr%:*}" redis_port="${redis_addr##*:}"
redis_answers() { (exec 3<>"/dev/tcp/$redis_host/$redis_port") 2>/dev/null; }
if ! redis_answers; then
  if ! [[ "$redis_host" =~ ^(127\.0\.0\.1|localhost)$ ]]; then
    problems+=("no Redis at $redis_addr")
  elif command -v redis-server >/dev/null 2>&1; then
    echo "prereqs: starting Redis at $redis_addr"
    redis-server --daemonize yes --bind "$redis_host" --port "$redis_port" --save "" --appendonly no \
      --dir "${TMPDIR:-/tmp}" --logfile "${TMPDIR:-/tmp}/tm20-test-redis.log" >/dev/null 2>&1
    for ((i = 0; i < 30; i++)); do redis_answers && break; sleep 1; done
    redis_answers || problems+=("Redis did not start at $redis_addr (${TMPDIR:-/tmp}/tm20-test-redis.log)")
  fi
fi

# ── The verdict ─────────────────────────────────────────────────────────────────────────────
[ ${#apt_fix[@]} -eq 0 ] || fixes=("${show_root}apt-get install -y ${apt_fix[*]}" "${fixes[@]}")
if [ ${#problems[@]} -gt 0 ]; then
  line="prereqs: cannot run the tests: ${problems[0]}"
  for p in "${problems[@]:1}"; do line+="; $p"; done
  [ ${#fixes[@]} -eq 0 ] || line+=" — run: ${fixes[0]}"
  for f in "${fixes[@]:1}"; do line+=" && $f"; done
  echo "$line" >&2
  exit 1
fi
echo "prereqs: ready (PostgreSQL at $pg_host:$pg_port, Redis at $redis_addr, Chromium, HAProxy, python3-requests)"
