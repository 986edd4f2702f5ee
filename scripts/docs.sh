#!/usr/bin/env bash
# Build the documentation site into site/: reference pages regenerated from the code, then
# mkdocs with warnings as errors (a broken link or a page missing from the navigation fails).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY="${PYTHON:-$(command -v python3 || command -v python)}"
"$PY" scripts/gen_docs.py
exec "$PY" -m mkdocs build --strict --site-dir site "$@"
