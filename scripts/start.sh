#!/usr/bin/env bash
# Install dsgrid-viewer and start the web viewer on a demo registry.
# For a fresh Debian machine as root with Python 3.11; safe to run again (the demo is built once).
#   DSGRID_DEMO_DIR  where the demo registry lives (default: ~/dsgrid-demo)
#   DSGRID_HOST, DSGRID_PORT  where the viewer listens (default: 127.0.0.1:8050)
#   PYTHON  the interpreter to install into (default: python3, else python)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY="${PYTHON:-$(command -v python3 || command -v python)}"

# Debian's own Python refuses `pip install` outside a venv (PEP 668); as root on a machine set up
# for this tool, install into it anyway.
if "$PY" -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'; then
  export PIP_BREAK_SYSTEM_PACKAGES=1
fi
if ! "$PY" -m pip --version >/dev/null 2>&1; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-pip
fi

# Every optional part: Spark (local, cluster, Spark Connect), ArangoDB, S3 data, PNG export.
"$PY" -m pip install ".[all]"

# The `dsgrid` script pip just installed, even where PATH does not have it yet (pyenv shims).
DSGRID="$("$PY" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/dsgrid"
[ -x "$DSGRID" ] || DSGRID="$(command -v dsgrid)"

DEMO_DIR="${DSGRID_DEMO_DIR:-$HOME/dsgrid-demo}"
if [ ! -f "$DEMO_DIR/registry.db" ]; then
  "$DSGRID" demo "$DEMO_DIR" --scale small
fi

exec "$DSGRID" --registry "$DEMO_DIR" serve \
  --host "${DSGRID_HOST:-127.0.0.1}" --port "${DSGRID_PORT:-8050}"
