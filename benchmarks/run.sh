#!/usr/bin/env bash
# Run every benchmark on SQLite (throwaway var dir) and PostgreSQL (throwaway database); print the figures.
# Usage: bash benchmarks/run.sh
# Needs what `scripts/setup.sh --test` installs, and a local PostgreSQL reachable as BENCH_PG
# (default postgres://postgres@127.0.0.1:5432). Set BENCH_SKIP_PG=1 to run SQLite only.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=onevisit_bench_$$
TMP=$(mktemp -d /tmp/onevisit-bench.XXXXXX)
export DJANGO_SETTINGS_MODULE=onevisit.settings.demo LOG_LEVEL=WARNING PYTHONHASHSEED=0

created_db=""
cleanup() {
    if [ -n "$created_db" ]; then
        dropdb --if-exists --maintenance-db="$PG/postgres" "$DB" || echo "could not drop database $DB" >&2
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

run_all() {
    "$PY" -m benchmarks.catalog_search
    "$PY" -m benchmarks.guide_page
    "$PY" -m benchmarks.server_rss
    "$PY" -m benchmarks.workflow_step
}

echo "== machine: $(nproc) cores, $(uname -sr), $(date -u +%FT%TZ)"
echo "== SQLite ($TMP/sqlite)"
ONEVISIT_VAR_DIR=$TMP/sqlite run_all

if [ "${BENCH_SKIP_PG:-}" != "1" ]; then
    echo
    echo "== PostgreSQL ($DB)"
    createdb --maintenance-db="$PG/postgres" "$DB"
    created_db=1
    ONEVISIT_VAR_DIR=$TMP/pg DATABASE_URL="$PG/$DB" run_all
    # HTTP load through gunicorn; makes and drops its own database and var dir.
    BENCH_PG="$PG" "$PY" -m benchmarks.submit_load
    # 秒批 (rules, signed certificate) against the same plain submit, then a profile of one submit.
    BENCH_PG="$PG" "$PY" -m benchmarks.instant_load
fi
