#!/usr/bin/env bash
# Shared by deploy/local/infra.sh (the one dev broker) and deploy/local/cluster.sh (the three-broker cluster): Kafka's
# jars from Maven Central, a broker's log4j2 file, its storage format and its start/stop. Source it after setting ROOT
# (the repository) and LOCAL (its .local folder); it defines functions only.

KAFKA_LIBS="${KAFKA_LIBS:-$LOCAL/kafka/libs}"

log() { printf '[%s] %s\n' "${LOG_TAG:-infra}" "$*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { # port seconds what
  local i
  for ((i = 0; i < $2 * 10; i++)); do port_open "$1" && return 0; sleep 0.1; done
  log "$3 did not answer on 127.0.0.1:$1 within $2 s"; return 1
}

# The broker jars (once, ~55 MB) into .local/kafka/libs, resolved by Maven from deploy/local/kafka-pom.xml.
kafka_fetch() {
  [ -f "$KAFKA_LIBS/.complete" ] && return 0
  command -v java >/dev/null || { log "java is required for Kafka (apt-get install openjdk-17-jre-headless)"; exit 1; }
  command -v mvn >/dev/null || { log "maven is required to fetch Kafka's jars (apt-get install maven)"; exit 1; }
  log "fetching Apache Kafka jars from Maven Central (once, ~55 MB)"
  mkdir -p "$KAFKA_LIBS"
  mvn -q -B -f "$ROOT/deploy/local/kafka-pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$KAFKA_LIBS" -DincludeScope=runtime >&2
  touch "$KAFKA_LIBS/.complete"
}

# kafka_log4j <home>: WARN and above, plus the server's start line.
kafka_log4j() {
  cat >"$1/log4j2.yaml" <<'L4J'
Configuration:
  Appenders:
    Console: { name: STDOUT, PatternLayout: { pattern: "[%d] %p %m (%c)%n" } }
  Loggers:
    Root: { level: WARN, AppenderRef: [{ ref: STDOUT }] }
    Logger: [{ name: kafka.server.KafkaRaftServer, level: INFO }]
L4J
}

kafka_random_cluster_id() { java -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1; }

# kafka_format <home> [cluster id]: formats <home>/data for <home>/server.properties unless already formatted (a new
# cluster id unless given: the brokers of one cluster share theirs).
kafka_format() {
  [ -f "$1/data/meta.properties" ] && return 0
  mkdir -p "$1/logs"
  java -Dlog4j2.configurationFile="$1/log4j2.yaml" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format \
    -t "${2:-$(kafka_random_cluster_id)}" -c "$1/server.properties" >"$1/logs/format.out" 2>&1 \
    || { cat "$1/logs/format.out" >&2; return 1; }
}

# kafka_start <home> <port> <heap max> <what>: starts kafka.Kafka on <home>/server.properties, pid in <home>/kafka.pid.
kafka_start() {
  local home="$1" port="$2" heap="$3" what="$4"
  mkdir -p "$home/logs"
  log "starting $what on 127.0.0.1:$port"
  nohup java -Xms"${KAFKA_HEAP_MIN:-256m}" -Xmx"$heap" -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$home/log4j2.yaml" -cp "$KAFKA_LIBS/*" kafka.Kafka "$home/server.properties" \
    >>"$home/logs/server.out" 2>&1 &
  echo $! >"$home/kafka.pid"
}

# kafka_stop <home> <what> [signal]: stops the broker whose pid is in <home>/kafka.pid (TERM, then KILL after 30 s).
kafka_stop() {
  local home="$1" what="$2" sig="${3:-TERM}" pid
  if [ -f "$home/kafka.pid" ] && kill -0 "$(cat "$home/kafka.pid")" 2>/dev/null; then
    pid="$(cat "$home/kafka.pid")"
    log "stopping $what (pid $pid)"; kill -s "$sig" "$pid"
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$home/kafka.pid"
}
