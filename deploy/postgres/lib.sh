# shellcheck shell=bash
# shellcheck disable=SC2034  # variables are used by the scripts that source this file
# Shared settings for deploy/postgres/*.sh (sourced, not executed).

PG_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$PG_SCRIPT_DIR/../.." && pwd)"

INFRA_DIR="${COXSWAIN_INFRA_DIR:-$REPO_ROOT/.infra}"
mkdir -p "$INFRA_DIR"
INFRA_DIR="$(cd "$INFRA_DIR" && pwd)"
[[ -f "$INFRA_DIR/.gitignore" ]] || printf '*\n' >"$INFRA_DIR/.gitignore"

PG_HOME="$INFRA_DIR/pg"
PGDATA_DIR="$PG_HOME/data"
PG_LOG="$PG_HOME/postgres.log"
PG_HOST=127.0.0.1
PG_PORT="${COXSWAIN_PG_PORT:-55432}"
# OS user that owns/runs the cluster when we are root (postgres refuses to run as root).
PG_OS_USER="${COXSWAIN_PG_OS_USER:-postgres}"

APP_ROLE=coxswain
APP_PASSWORD=coxswain
APP_DATABASES=(coxswain_leads coxswain_pipeline coxswain_forecast coxswain_compensation coxswain_territory coxswain_test)

log() { printf '[postgres] %s\n' "$*" >&2; }
die() { printf '[postgres] ERROR: %s\n' "$*" >&2; exit 1; }

# Locate the directory holding pg_ctl/initdb (PATH first, then the newest /usr/lib/postgresql/*/bin).
find_pg_bin() {
  local c
  if c="$(command -v pg_ctl 2>/dev/null)" && [[ -x "$(dirname "$(readlink -f "$c")")/initdb" ]]; then
    dirname "$(readlink -f "$c")"; return 0
  fi
  c="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)"
  if [[ -n "$c" && -x "$c/pg_ctl" && -x "$c/initdb" ]]; then echo "$c"; return 0; fi
  return 1
}

# Run a command as the cluster owner (root -> $PG_OS_USER; otherwise ourselves).
as_pg() {
  if [[ $EUID -eq 0 ]]; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

pg_running() { [[ -f "$PGDATA_DIR/PG_VERSION" ]] && as_pg "$PG_BIN/pg_ctl" status -D "$PGDATA_DIR" >/dev/null 2>&1; }
