#!/usr/bin/env bash
# A three-broker Apache Kafka cluster (KRaft, each node broker + controller) on this machine, beside the one dev broker
# of infra.sh: what customers who outgrow one broker run, for the chaos run and replay on replicas.
#   deploy/local/cluster.sh up|down|status|restart-broker N|stop-broker N|start-broker N|topics|purge
# Data in .local/cluster/ (CLUSTER_DIR). Brokers on 127.0.0.1:19092-19094 (CLUSTER_PORT_BASE), controllers on
# 19192-19194 (base + 100); heap 400 MB each (CLUSTER_HEAP_MAX); a broker has CLUSTER_START_TIMEOUT_S (90) seconds to
# answer. `up` also creates every topic (`topics`): replication factor 3, 6 partitions; min.insync.replicas=2 is the
# brokers' default below, so acks=all means two copies.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL="$ROOT/.local"
LOG_TAG=cluster
CLUSTER_DIR="${CLUSTER_DIR:-$LOCAL/cluster}"
CLUSTER_PORT_BASE="${CLUSTER_PORT_BASE:-19092}"
CLUSTER_HEAP_MAX="${CLUSTER_HEAP_MAX:-400m}"
# How long `up` / `start-broker` wait for a broker to answer (a loaded machine starts three JVMs slowly).
CLUSTER_START_TIMEOUT_S="${CLUSTER_START_TIMEOUT_S:-90}"
NODES=(1 2 3)
# shellcheck source=kafka-lib.sh
source "$ROOT/deploy/local/kafka-lib.sh"

# The replication settings of the cluster, in one place (topics made by `topics` get RF 3 and 6 partitions explicitly).
MIN_INSYNC_REPLICAS=2
REPLICATION_FACTOR=3
PARTITIONS=6

port_of() { echo $((CLUSTER_PORT_BASE + $1 - 1)); }
controller_port_of() { echo $((CLUSTER_PORT_BASE + 100 + $1 - 1)); }
home_of() { echo "$CLUSTER_DIR/broker-$1"; }
brokers() { local n out=(); for n in "${NODES[@]}"; do out+=("127.0.0.1:$(port_of "$n")"); done; (IFS=,; echo "${out[*]}"); }
voters() { local n out=(); for n in "${NODES[@]}"; do out+=("$n@127.0.0.1:$(controller_port_of "$n")"); done; (IFS=,; echo "${out[*]}"); }

write_config() { # node
  local n="$1" home; home="$(home_of "$1")"
  mkdir -p "$home/data" "$home/logs"
  cat >"$home/server.properties" <<PROPS
process.roles=broker,controller
node.id=$n
controller.quorum.voters=$(voters)
listeners=PLAINTEXT://127.0.0.1:$(port_of "$n"),CONTROLLER://127.0.0.1:$(controller_port_of "$n")
advertised.listeners=PLAINTEXT://127.0.0.1:$(port_of "$n")
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$home/data
auto.create.topics.enable=false
num.partitions=$PARTITIONS
default.replication.factor=$REPLICATION_FACTOR
min.insync.replicas=$MIN_INSYNC_REPLICAS
unclean.leader.election.enable=false
offsets.topic.replication.factor=$REPLICATION_FACTOR
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=$REPLICATION_FACTOR
transaction.state.log.min.isr=$MIN_INSYNC_REPLICAS
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=$REPLICATION_FACTOR
share.coordinator.state.topic.min.isr=$MIN_INSYNC_REPLICAS
group.initial.rebalance.delay.ms=0
log.retention.hours=-1
num.network.threads=2
num.io.threads=2
background.threads=2
num.replica.fetchers=1
PROPS
  kafka_log4j "$home"
}

start_broker() { # node
  local n="$1" home port; home="$(home_of "$1")"; port="$(port_of "$1")"
  if port_open "$port"; then log "broker $n already answering on 127.0.0.1:$port"; return 0; fi
  write_config "$n"
  kafka_format "$home" "$(cat "$CLUSTER_DIR/cluster-id")"
  kafka_start "$home" "$port" "$CLUSTER_HEAP_MAX" "broker $n"
}

wait_broker() { # node
  wait_port "$(port_of "$1")" "$CLUSTER_START_TIMEOUT_S" "broker $1" || { tail -30 "$(home_of "$1")/logs/server.out" >&2; exit 1; }
}

stop_broker() { kafka_stop "$(home_of "$1")" "broker $1"; }

check_node() { case "${1:-}" in 1 | 2 | 3) ;; *) echo "broker number 1, 2 or 3 expected, got '${1:-}'" >&2; exit 2 ;; esac; }

topics() {
  [ -f "$ROOT/dist/tools/chaos/cluster-topics.js" ] || { log "not built yet (npm run build): topics not created"; return 0; }
  KAFKA_BROKERS="$(brokers)" KAFKA_REPLICATION_FACTOR=$REPLICATION_FACTOR CLUSTER_PARTITIONS=$PARTITIONS \
    node "$ROOT/dist/tools/chaos/cluster-topics.js"
}

up() {
  kafka_fetch
  mkdir -p "$CLUSTER_DIR"
  # A cluster id is 16 random bytes in base64url (what StorageTool random-uuid prints), made here to spare a JVM start.
  [ -s "$CLUSTER_DIR/cluster-id" ] || head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n' >"$CLUSTER_DIR/cluster-id"
  local n
  for n in "${NODES[@]}"; do start_broker "$n" & done
  wait
  for n in "${NODES[@]}"; do wait_broker "$n"; done
  [ "${CLUSTER_SKIP_TOPICS:-}" = 1 ] || topics
  log "ready: KAFKA_BROKERS=$(brokers)"
}

case "${1:-up}" in
  up) up ;;
  down) for n in "${NODES[@]}"; do stop_broker "$n"; done ;;
  purge) for n in "${NODES[@]}"; do stop_broker "$n"; done; rm -rf "$CLUSTER_DIR" ;;
  topics) topics ;;
  restart-broker) check_node "${2:-}"; stop_broker "$2"; start_broker "$2"; wait_broker "$2" ;;
  stop-broker) check_node "${2:-}"; stop_broker "$2" ;;
  start-broker) check_node "${2:-}"; start_broker "$2"; wait_broker "$2" ;;
  brokers) brokers ;;
  status)
    for n in "${NODES[@]}"; do
      pid="$(cat "$(home_of "$n")/kafka.pid" 2>/dev/null || true)"
      if port_open "$(port_of "$n")"; then echo "broker $n: up (127.0.0.1:$(port_of "$n")${pid:+, pid $pid})"; else echo "broker $n: down"; fi
    done
    echo "KAFKA_BROKERS=$(brokers)" ;;
  *) echo "usage: $0 up|down|status|restart-broker N|stop-broker N|start-broker N|topics|brokers|purge" >&2; exit 2 ;;
esac
