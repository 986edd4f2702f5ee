#!/usr/bin/env bash
# Install dsgrid-viewer and start the web viewer on a demo registry.
# For a fresh Debian machine as root with Python 3.11; safe to run again (the demo is built once).
#   DSGRID_DEMO_DIR  where the demo registry lives (default: ~/dsgrid-demo)
#   DSGRID_HOST, DSGRID_PORT  where the viewer listens (default: 127.0.0.1:8050)
#   PYTHON  the interpreter the project venv (.venv, see venv.sh) is made from
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/venv.sh
source scripts/venv.sh
PY="$(project_venv)"
# Every optional part: Spark (local, cluster, Spark Connect), ArangoDB, S3 data, PNG export.
install_project "$PY" all
DSGRID="$(dirname "$PY")/dsgrid"

DEMO_DIR="${DSGRID_DEMO_DIR:-$HOME/dsgrid-demo}"
if [ ! -f "$DEMO_DIR/registry.db" ]; then
  "$DSGRID" demo "$DEMO_DIR" --scale small
fi

exec "$DSGRID" --registry "$DEMO_DIR" serve \
  --host "${DSGRID_HOST:-127.0.0.1}" --port "${DSGRID_PORT:-8050}"
