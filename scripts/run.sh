#!/usr/bin/env bash
# Set up, migrate, load demo data once, and serve on http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export FLASK_APP=webapp
.venv/bin/flask db upgrade
.venv/bin/flask demo load
echo "Qingshou: http://127.0.0.1:5000"
exec .venv/bin/flask run --host 127.0.0.1 --port "${PORT:-5000}"
