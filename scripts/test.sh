#!/usr/bin/env bash
# Set up everything and run the whole suite, on SQLite and on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --system

pg_url=${QS_TEST_PG_URL:-postgresql://postgres@127.0.0.1:5432/test}
if ! .venv/bin/python - "$pg_url" <<'PY' 2>/dev/null
import sys, psycopg
psycopg.connect(sys.argv[1].replace("postgresql+psycopg", "postgresql"), connect_timeout=3).close()
PY
then
  echo "test: PostgreSQL not answering at $pg_url; trying to start the local cluster"
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
fi

# Style is part of the suite: lint and formatting as `make lint` checks them.
.venv/bin/ruff check .
.venv/bin/ruff format --check .

exec .venv/bin/python -m pytest "$@"
