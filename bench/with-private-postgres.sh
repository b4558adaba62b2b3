#!/usr/bin/env bash
# Run a command against a private, throw-away PostgreSQL 15 cluster on port 55433 (BENCH_PG_PORT; never 5432,
# which others use): create it, start it, run, then stop and drop it whatever happens. BENCH_PG_CLUSTER names
# the cluster (csp-bench), so two benchmarks can each have their own.
set -euo pipefail
PG_VERSION=${PG_VERSION:-15}
CLUSTER=${BENCH_PG_CLUSTER:-csp-bench}
PORT=${BENCH_PG_PORT:-55433}
pg_createcluster "$PG_VERSION" "$CLUSTER" -p "$PORT" >/dev/null
trap 'pg_ctlcluster "$PG_VERSION" "$CLUSTER" stop || true; pg_dropcluster "$PG_VERSION" "$CLUSTER" || true' EXIT
pg_ctlcluster "$PG_VERSION" "$CLUSTER" start
until pg_isready -h 127.0.0.1 -p "$PORT" -q; do sleep 0.2; done
runuser -u postgres -- psql -p "$PORT" -q -c "CREATE ROLE csp_bench LOGIN CREATEDB PASSWORD 'csp-bench'" \
    -c "CREATE DATABASE csp_bench OWNER csp_bench"
DATABASE_ENGINE=postgresql DATABASE_NAME=csp_bench DATABASE_USER=csp_bench DATABASE_PASSWORD=csp-bench \
    DATABASE_HOST=127.0.0.1 DATABASE_PORT="$PORT" "$@"
