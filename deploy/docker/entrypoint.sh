#!/bin/sh
# Container entrypoint: one image runs every service. The first argument (or MLC_SERVICE) names what to run:
#   oracle-poller | webhook-gateway | mapper | shipbob-writer | fusion-writer | audit-projector
#   combined -> all six in one process (COMBINED_SERVICES, <NAME>_PORT; Helm combined.enabled)
#   migrate  -> node dist/tools/migrate.js      topics -> node dist/tools/topics.js
#   node ... -> any other node command (debugging)
set -eu
target="${1:-${MLC_SERVICE:-}}"
[ "$#" -gt 0 ] && shift
case "$target" in
  oracle-poller|webhook-gateway|mapper|shipbob-writer|fusion-writer|audit-projector)
    exec node "dist/services/$target/src/main.js" "$@" ;;
  combined) exec node dist/services/combined/src/main.js "$@" ;;
  migrate) exec node dist/tools/migrate.js "$@" ;;
  topics) exec node dist/tools/topics.js "$@" ;;
  node) exec node "$@" ;;
  *)
    echo "usage: <oracle-poller|webhook-gateway|mapper|shipbob-writer|fusion-writer|audit-projector|combined|migrate|topics|node ...>" >&2
    echo "(got '${target}'; set the first argument or MLC_SERVICE)" >&2
    exit 64 ;;
esac
