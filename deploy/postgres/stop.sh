#!/usr/bin/env bash
# Stop the local PostgreSQL cluster (pg_ctl stop -m fast). Harmless if not running.
#   deploy/postgres/stop.sh          stop, keep data
#   deploy/postgres/stop.sh --wipe   stop and delete the cluster ($COXSWAIN_INFRA_DIR/pg)
set -euo pipefail
# shellcheck source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

wipe=0
for a in "$@"; do
  case "$a" in
    --wipe) wipe=1 ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) die "unknown argument: $a (usage: stop.sh [--wipe])" ;;
  esac
done

if [[ -f "$PGDATA_DIR/PG_VERSION" ]] && PG_BIN="$(find_pg_bin)" && pg_running; then
  log "stopping (fast)"
  as_pg "$PG_BIN/pg_ctl" stop -D "$PGDATA_DIR" -m fast -w -t 60 >/dev/null
  log "stopped"
else
  log "not running"
fi

if (( wipe )); then
  rm -rf "$PG_HOME"
  log "wiped $PG_HOME"
fi
