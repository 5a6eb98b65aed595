#!/usr/bin/env bash
# Run the whole test suite (unit, API, browser). DATABASE_URL selects PostgreSQL; SQLite otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/pytest "$@"
