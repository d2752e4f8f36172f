#!/usr/bin/env bash
# Starts (or finds) the real infrastructure on this machine: an Apache Kafka broker in KRaft mode and a
# PostgreSQL server, both on 127.0.0.1. Idempotent: `up` twice finds the first; `down` stops what we started.
#   deploy/local/infra.sh up|down|status
# Data lives in .local/ (git-ignored). Settings: KAFKA_PORT (9092), PGPORT (5432).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
LOCAL="$ROOT/.local"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
PGPORT="${PGPORT:-5432}"
PG_DB="${PG_DB:-mlc}" PG_USER="${PG_USER:-mlc}" PG_PASSWORD="${PG_PASSWORD:-mlc}"
KAFKA_HOME="${KAFKA_HOME:-$LOCAL/kafka}"   # a test may run its own broker in another folder
PG_HOME="$LOCAL/pg"

# shellcheck source=kafka-lib.sh
source "$ROOT/deploy/local/kafka-lib.sh"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

kafka_up() {
  if port_open "$KAFKA_PORT"; then log "kafka already answering on 127.0.0.1:$KAFKA_PORT"; return 0; fi
  kafka_fetch
  mkdir -p "$KAFKA_HOME/data" "$KAFKA_HOME/logs"
  cat >"$KAFKA_HOME/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_HOME/data
num.partitions=3
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=-1
PROPS
  kafka_log4j "$KAFKA_HOME"
  kafka_format "$KAFKA_HOME"
  kafka_start "$KAFKA_HOME" "$KAFKA_PORT" "${KAFKA_HEAP_MAX:-1536m}" kafka
  wait_port "$KAFKA_PORT" 60 kafka || { tail -30 "$KAFKA_HOME/logs/server.out" >&2; exit 1; }
}

kafka_down() { kafka_stop "$KAFKA_HOME" kafka; }

pg_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
  command -v initdb >/dev/null && dirname "$(command -v initdb)" && return 0
  return 1
}

pg_up() {
  if ! port_open "$PGPORT"; then
    local bin
    if ! bin="$(pg_bin)"; then
      log "installing PostgreSQL from Debian's packages"
      if [ "$(id -u)" = 0 ]; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2
      else
        log "PostgreSQL is not installed and we are not root: install Debian's 'postgresql' package"; exit 1
      fi
      bin="$(pg_bin)"
    fi
    mkdir -p "$PG_HOME"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$PG_HOME"; fi
    if [ ! -f "$PG_HOME/data/PG_VERSION" ]; then
      log "initialising a PostgreSQL cluster in .local/pg"
      as_pg "$bin/initdb" -D "$PG_HOME/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 >/dev/null
    fi
    log "starting PostgreSQL on 127.0.0.1:$PGPORT"
    as_pg "$bin/pg_ctl" -D "$PG_HOME/data" -l "$PG_HOME/server.log" -w \
      -o "-p $PGPORT -h 127.0.0.1 -k $PG_HOME -c max_connections=300 -c fsync=off" start >/dev/null
  else
    log "postgres already answering on 127.0.0.1:$PGPORT"
  fi
  ensure_pg_role
}

pg_superuser_psql() {
  # Our own cluster's socket first, then the distribution's default socket.
  local sock
  for sock in "$PG_HOME" /var/run/postgresql /tmp; do
    if [ -S "$sock/.s.PGSQL.$PGPORT" ]; then
      as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$PGPORT" -U postgres -d postgres "$@"; return
    fi
  done
  log "cannot reach a superuser socket for PostgreSQL on port $PGPORT; create role $PG_USER (CREATEDB) and database $PG_DB by hand"
  return 1
}

ensure_pg_role() {
  if PGPASSWORD="$PG_PASSWORD" psql -X -q -h 127.0.0.1 -p "$PGPORT" -U "$PG_USER" -d "$PG_DB" -c 'select 1' >/dev/null 2>&1; then
    return 0
  fi
  log "creating role '$PG_USER' and database '$PG_DB'"
  pg_superuser_psql <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  ELSE
    ALTER ROLE $PG_USER LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
  END IF;
END \$\$;
SQL
  pg_superuser_psql -tc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'" | grep -q 1 \
    || pg_superuser_psql -c "CREATE DATABASE $PG_DB OWNER $PG_USER"
}

pg_down() {
  local bin
  if [ -f "$PG_HOME/data/postmaster.pid" ] && bin="$(pg_bin)"; then
    log "stopping PostgreSQL"; as_pg "$bin/pg_ctl" -D "$PG_HOME/data" -m fast stop >/dev/null || true
  fi
}

case "${1:-up}" in
  up) pg_up; kafka_up; log "ready: KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT DATABASE_URL=postgres://$PG_USER:***@127.0.0.1:$PGPORT/$PG_DB" ;;
  down) kafka_down; pg_down ;;
  kafka-up) kafka_up ;;
  kafka-down) kafka_down ;;
  status)
    port_open "$KAFKA_PORT" && echo "kafka: up (127.0.0.1:$KAFKA_PORT)" || echo "kafka: down"
    port_open "$PGPORT" && echo "postgres: up (127.0.0.1:$PGPORT)" || echo "postgres: down" ;;
  *) echo "usage: $0 up|down|status|kafka-up|kafka-down" >&2; exit 2 ;;
esac
