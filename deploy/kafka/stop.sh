#!/usr/bin/env bash
# Stop the local Kafka broker (SIGTERM, bounded wait, then SIGKILL). Harmless if not running.
#   deploy/kafka/stop.sh          stop, keep data
#   deploy/kafka/stop.sh --wipe   stop and delete topics/offsets (data dir + cluster id)
# Env: COXSWAIN_INFRA_DIR, COXSWAIN_KAFKA_STOP_TIMEOUT (default 30 s).
set -euo pipefail
# shellcheck source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

wipe=0
for a in "$@"; do
  case "$a" in
    --wipe) wipe=1 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) die "unknown argument: $a (usage: stop.sh [--wipe])" ;;
  esac
done

STOP_TIMEOUT="${COXSWAIN_KAFKA_STOP_TIMEOUT:-30}"

if pid="$(kafka_pid)"; then
  log "stopping broker (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  t0=$SECONDS
  while kill -0 "$pid" 2>/dev/null && (( SECONDS - t0 < STOP_TIMEOUT )); do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after ${STOP_TIMEOUT}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  log "stopped after $((SECONDS - t0))s"
else
  log "not running"
fi
rm -f "$KAFKA_PID_FILE"

if (( wipe )); then
  rm -rf "$KAFKA_DATA" "$KAFKA_CLUSTER_ID_FILE"
  log "wiped $KAFKA_DATA"
fi
