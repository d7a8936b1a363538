# shellcheck shell=bash
# shellcheck disable=SC2034  # variables are used by the scripts that source this file
# Shared settings for deploy/kafka/*.sh (sourced, not executed).

KAFKA_SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$KAFKA_SCRIPT_DIR/../.." && pwd)"

INFRA_DIR="${COXSWAIN_INFRA_DIR:-$REPO_ROOT/.infra}"
mkdir -p "$INFRA_DIR"
INFRA_DIR="$(cd "$INFRA_DIR" && pwd)"
# Keep all state out of git even if the repo's .gitignore lacks .infra/.
[[ -f "$INFRA_DIR/.gitignore" ]] || printf '*\n' >"$INFRA_DIR/.gitignore"

KAFKA_HOME="$INFRA_DIR/kafka"
KAFKA_LIBS="$KAFKA_HOME/libs"
KAFKA_CONF="$KAFKA_HOME/config"
KAFKA_DATA="$KAFKA_HOME/data"
KAFKA_LOGS="$KAFKA_HOME/logs"
KAFKA_PID_FILE="$KAFKA_HOME/kafka.pid"
KAFKA_CLUSTER_ID_FILE="$KAFKA_HOME/cluster.id"
KAFKA_FETCH_MARKER="$KAFKA_LIBS/.fetched"

KAFKA_HOST=127.0.0.1
KAFKA_PORT="${COXSWAIN_KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${COXSWAIN_KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_BOOTSTRAP="$KAFKA_HOST:$KAFKA_PORT"
KAFKA_HEAP_OPTS="${COXSWAIN_KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"

# Main classes for Kafka 3.9.x (several CLI tools moved from kafka.* to org.apache.kafka.tools.*).
KAFKA_MAIN=kafka.Kafka
KAFKA_STORAGE_TOOL=kafka.tools.StorageTool
KAFKA_TOPIC_TOOL=org.apache.kafka.tools.TopicCommand
KAFKA_CONSOLE_PRODUCER=kafka.tools.ConsoleProducer
KAFKA_CONSOLE_CONSUMER=org.apache.kafka.tools.consumer.ConsoleConsumer

log() { printf '[kafka] %s\n' "$*" >&2; }
die() { printf '[kafka] ERROR: %s\n' "$*" >&2; exit 1; }

# Run a Kafka CLI class quietly (WARN+ to stderr) with a small heap.
# Usage: kafka_tool [timeout-seconds] <main-class> args...   (timeout 0 = none)
kafka_tool() {
  local secs=0
  [[ "$1" =~ ^[0-9]+$ ]] && { secs="$1"; shift; }
  local cls="$1"; shift
  local -a pre=()
  (( secs > 0 )) && pre=(timeout "$secs")
  "${pre[@]}" java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$KAFKA_CONF/tools-log4j.properties" \
    -cp "$KAFKA_LIBS/*" "$cls" "$@"
}

# Prints the pid of our broker if it is alive (pid file, else /proc scan for our exact config path).
kafka_pid() {
  local pid cmd
  if [[ -f "$KAFKA_PID_FILE" ]]; then
    pid="$(<"$KAFKA_PID_FILE")"
    if [[ "$pid" =~ ^[0-9]+$ ]] && [[ -r "/proc/$pid/cmdline" ]]; then
      cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
      if [[ "$cmd" == *"$KAFKA_MAIN $KAFKA_CONF/server.properties"* ]]; then
        echo "$pid"; return 0
      fi
    fi
  fi
  # Pid file lost/stale: look for a broker started with *this* infra dir's config.
  for f in /proc/[0-9]*/cmdline; do
    cmd="$(tr '\0' ' ' <"$f" 2>/dev/null || true)"
    if [[ "$cmd" == *"$KAFKA_MAIN $KAFKA_CONF/server.properties"* ]]; then
      pid="${f#/proc/}"; echo "${pid%/cmdline}"; return 0
    fi
  done
  return 1
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Real readiness check: a metadata round-trip through the AdminClient.
kafka_answers() {
  port_open "$KAFKA_HOST" "$KAFKA_PORT" || return 1
  kafka_tool 40 "$KAFKA_TOPIC_TOOL" --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --command-config "$KAFKA_CONF/admin-client.properties" --list >/dev/null 2>&1
}
