#!/usr/bin/env bash
# Set up everything Qingshou needs on a fresh Debian machine.
#   scripts/bootstrap.sh           Python environment and translations (enough to run the service)
#   scripts/bootstrap.sh --system  also Debian packages used by tests and documents:
#                                  Chromium (browser tests), Noto CJK fonts (PDFs),
#                                  LibreOffice Writer (checks that every template opens)
set -euo pipefail
# (No `grep -q` after a pipe: it exits early, the writer gets SIGPIPE, and pipefail fails.)
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
want_system=0
[ "${1:-}" = "--system" ] && want_system=1

apt_install() {
  local runner=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then runner="sudo -n"; else
      echo "bootstrap: cannot install $* (not root, no sudo); install them by hand" >&2; return 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $runner apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1 || {
    $runner apt-get update -q >/dev/null && $runner apt-get install -y -q --no-install-recommends "$@" >/dev/null
  }
}

if [ "$want_system" = 1 ]; then
  missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  fc-list 2>/dev/null | grep -i "Noto Serif CJK" >/dev/null || missing+=(fonts-noto-cjk)
  command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
  # WeasyPrint subsets fonts with HarfBuzz when this library is present (fast), else with
  # fontTools (seconds per Chinese document).
  ldconfig -p 2>/dev/null | grep libharfbuzz-subset >/dev/null || missing+=(libharfbuzz-subset0)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    apt_install "${missing[@]}"
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.qingshou-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing Python packages"
  .venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING' || true
  .venv/bin/python -m pip install -q -e '.[dev]' 2>&1 | grep -v '^WARNING' || true
  .venv/bin/python -c 'import flask, sqlmodel, alembic, playwright' >/dev/null
  touch "$stamp"
fi
.venv/bin/python scripts/i18n.py compile
# The PDF fonts: a GB2312 subset of Noto Serif CJK, built once into the font cache
# ($QINGSHOU_FONT_CACHE, else ~/.cache/qingshou/fonts); skipped when the system fonts are absent.
if fc-list 2>/dev/null | grep -i "Noto Serif CJK" >/dev/null; then
  .venv/bin/python -m cases.documents.pdf
fi
