#!/usr/bin/env bash
# Download a runnable Apache Kafka broker (jars only) from Maven Central into
# $COXSWAIN_INFRA_DIR/kafka/libs. Idempotent: skipped when already fetched for this pom.
set -euo pipefail
# shellcheck source=lib.sh disable=SC1091
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command -v java >/dev/null || die "java not found (Java 17 required)"
command -v mvn >/dev/null || die "mvn not found (Maven 3.8+ required)"

POM="$KAFKA_SCRIPT_DIR/pom.xml"
want="$(sha256sum "$POM" | cut -d' ' -f1)"
if [[ -f "$KAFKA_FETCH_MARKER" && "$(<"$KAFKA_FETCH_MARKER")" == "$want" ]]; then
  log "jars already fetched in $KAFKA_LIBS"
  exit 0
fi

log "fetching Kafka jars from Maven Central (pom: $POM) ..."
mkdir -p "$KAFKA_HOME"
tmp="$(mktemp -d "$KAFKA_HOME/libs.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# shellcheck disable=SC2086
# Maven output goes to stderr (stdout of start.sh is just the bootstrap address); strip ANSI codes.
mvn -q -B -Dstyle.color=never -f "$POM" ${COXSWAIN_MVN_ARGS:-} \
  dependency:copy-dependencies -DoutputDirectory="$tmp" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || die "kafka_2.13 jar missing after maven run"

rm -rf "$KAFKA_LIBS"
mv "$tmp" "$KAFKA_LIBS"
trap - EXIT
echo "$want" >"$KAFKA_FETCH_MARKER"
log "fetched $(ls "$KAFKA_LIBS"/*.jar | wc -l) jars: $(basename "$(ls "$KAFKA_LIBS"/kafka_2.13-*.jar)")"
