#!/usr/bin/env bash
# TM20 Server installer: checks Node and npm, installs the locked dependencies (Bun comes from
# npm), builds dist/tm20. With --systemd it also installs the binary as a system service.
#
#   bash install.sh                       dependencies + build (what `npm start` / `npm test` run)
#   bash install.sh --no-build            dependencies only
#   sudo bash install.sh --systemd        + /usr/local/bin/tm20, user tm20, /var/lib/tm20, tm20.service
#   bash install.sh --systemd --dry-run   print the service steps and files, change nothing
#   bash install.sh --systemd --root DIR  write the service files under DIR (packaging, tests)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

usage() { sed -n '2,10s/^# \{0,1\}//p' "$0"; }
die() { echo "install.sh: $*" >&2; exit 1; }

build=1 systemd=0 dry_run=0 root=""
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --systemd) systemd=1 ;;
    --dry-run) dry_run=1 ;;
    --root) [ $# -ge 2 ] || die "--root needs a directory"; root="${2%/}"; shift ;;
    --root=*) root="${1#--root=}"; root="${root%/}" ;;
    -h|--help) usage; exit 0 ;;
    *) die "$1: unknown option (--help lists them)" ;;
  esac
  shift
done
if [ $systemd -eq 0 ] && { [ $dry_run -eq 1 ] || [ -n "$root" ]; }; then
  die "--dry-run and --root only apply to --systemd"
fi

# ── Node and npm ────────────────────────────────────────────────────────────────────────────
command -v node >/dev/null 2>&1 || die "Node.js >= 20 is required (node not found)"
command -v npm >/dev/null 2>&1 || die "npm is required (npm not found)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js >= 20 is required (found $(node --version))"

# ── Dependencies, from the lock file ────────────────────────────────────────────────────────
# `npm ci` deletes node_modules first, so it runs only when the installed tree does not match
# the lock file: the stamp records the lock file's hash after an install that is known good.
stamp=node_modules/.tm20-lock-stamp
lock_hash=$(node -e 'const c=require("crypto"),f=require("fs");console.log(c.createHash("sha256").update(f.readFileSync("package-lock.json")).digest("hex"))')
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_hash" ]; then
  echo "install.sh: dependencies up to date"
elif [ -d node_modules ] && npm ls --all >/dev/null 2>&1; then
  # Installed by hand (npm install) and consistent: adopt it rather than reinstalling.
  echo "$lock_hash" >"$stamp"
  echo "install.sh: dependencies up to date"
else
  echo "install.sh: installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
  echo "$lock_hash" >"$stamp"
fi
[ -x node_modules/.bin/bun ] || die "node_modules/.bin/bun is missing after install"

# ── Build ───────────────────────────────────────────────────────────────────────────────────
binary="${TM20_BUILD_OUT:-dist/tm20}"
if [ $build -eq 1 ]; then
  node_modules/.bin/bun run scripts/build.ts
fi
[ $systemd -eq 1 ] || exit 0

# ── System service ──────────────────────────────────────────────────────────────────────────
[ -x "$binary" ] || die "$binary is missing: run without --no-build first"
if [ $dry_run -eq 0 ] && [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
  die "--systemd needs root (sudo bash install.sh --systemd), or --dry-run / --root DIR"
fi

bin_path=/usr/local/bin/tm20
data_dir=/var/lib/tm20
unit_path=/etc/systemd/system/tm20.service
env_path=/etc/default/tm20

unit() {
  cat <<EOF
[Unit]
Description=TM20 Server (attendance and access-control terminals)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=tm20
Group=tm20
Environment=TM20_DATA_DIR=$data_dir
EnvironmentFile=-$env_path
ExecStart=$bin_path serve
Restart=always
RestartSec=2
# SIGTERM commits and answers what was received before exiting.
KillSignal=SIGTERM
TimeoutStopSec=30
# One socket per terminal.
LimitNOFILE=65536

NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=$data_dir
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectClock=yes
ProtectHostname=yes
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
CapabilityBoundingSet=
AmbientCapabilities=
SystemCallArchitectures=native
UMask=0027
# No MemoryDenyWriteExecute: the JavaScript engine compiles code at run time.

[Install]
WantedBy=multi-user.target
EOF
}

env_file() {
  cat <<'EOF'
# Settings for tm20.service (see `tm20 serve --help`). Restart the service after a change:
#   systemctl restart tm20
#TM20_PORT=7788
#TM20_HOST=0.0.0.0
#TM20_TZ=Europe/Berlin
#TM20_APPROVAL=open
#TM20_DURABILITY=full
#TM20_LOG_LEVEL=info
EOF
}

step() { echo "+ $*"; [ $dry_run -eq 1 ] || "$@"; }
write_file() { # path mode producer
  echo "+ write $1"
  if [ $dry_run -eq 1 ]; then "$3" | sed 's/^/    /'; return; fi
  mkdir -p "$(dirname "$1")"
  "$3" >"$1.tmp"
  chmod "$2" "$1.tmp"
  mv -f "$1.tmp" "$1"
}

step mkdir -p "$root$(dirname $bin_path)"
# Copy then rename: replacing a running binary in place fails ("text file busy").
step install -m 0755 "$binary" "$root$bin_path.new"
step mv -f "$root$bin_path.new" "$root$bin_path"

if [ -n "$root" ]; then
  echo "install.sh: --root: the tm20 user is not created; create it on the target system"
elif id tm20 >/dev/null 2>&1; then
  echo "install.sh: user tm20 exists"
else
  step useradd --system --home-dir "$data_dir" --no-create-home --shell /usr/sbin/nologin --user-group tm20
fi
step mkdir -p "$root$data_dir"
step chmod 0750 "$root$data_dir"
[ -n "$root" ] || step chown tm20:tm20 "$root$data_dir"

write_file "$root$unit_path" 0644 unit
if [ -e "$root$env_path" ]; then
  echo "install.sh: keeping $env_path"
else
  write_file "$root$env_path" 0644 env_file
fi

if [ -z "$root" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  step systemctl daemon-reload
  step systemctl enable tm20.service
  # restart, not start: an upgrade must replace the running binary.
  step systemctl restart tm20.service
  echo "install.sh: tm20 is running; logs: journalctl -u tm20 -f"
else
  echo "install.sh: systemd is not running here; start the service with: systemctl enable --now tm20"
fi
