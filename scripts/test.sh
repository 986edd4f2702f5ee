#!/usr/bin/env bash
# Install what the tests need (Debian packages included) and run the whole suite.
# For a fresh Debian machine as root with Python 3.11. Extra arguments go to pytest.
#   PYTHON  the interpreter to install into (default: python3, else python)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PY="${PYTHON:-$(command -v python3 || command -v python)}"

# Chromium + chromedriver for the browser tests, Java 17 for PySpark, redis-server for the
# shared read cache test. apt only when one is missing.
APT_PACKAGES=(chromium chromium-driver openjdk-17-jre-headless redis-server)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}" >&2
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

# Debian's own Python refuses `pip install` outside a venv (PEP 668); as root, install anyway.
if "$PY" -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'; then
  export PIP_BREAK_SYSTEM_PACKAGES=1
fi
if ! "$PY" -m pip --version >/dev/null 2>&1; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-pip
fi

"$PY" -m pip install -e '.[test]'

# PySpark: workers use this interpreter and bind to loopback (no reachable hostname needed).
export PYSPARK_PYTHON="${PYSPARK_PYTHON:-$PY}"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

status=0
"$PY" -m pytest --headless "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "FAILED: pytest collected no tests (exit code 5)." >&2
  exit 1
fi
exit "$status"
