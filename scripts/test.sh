#!/usr/bin/env bash
# Install what the tests need (Debian packages included) and run the whole suite.
# For a fresh Debian machine as root with Python 3.11. Extra arguments go to pytest.
#   PYTHON  the interpreter the project venv (.venv, see venv.sh) is made from
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

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

# The project venv that start.sh uses too (scripts/venv.sh): test extras on top of `all`, so a
# viewer started by start.sh keeps working while the tests run.
# shellcheck source=scripts/venv.sh
source scripts/venv.sh
PY="$(project_venv)"
install_project "$PY" "all,test"
# The venv first on PATH, as `activate` would: tests that start `dsgrid` find this one.
export PATH="$(dirname "$PY"):$PATH"

# PySpark: workers use this interpreter and bind to loopback (no reachable hostname needed).
export PYSPARK_PYTHON="${PYSPARK_PYTHON:-$PY}"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"

# The reference, dsgrid-toolkit 0.4.0, for the compatibility suite (tests/compat): its own venv,
# since it pins duckdb 1.1 and chronify 0.7. Made once; the suite skips without it.
REFERENCE_VENV="${DSGRID_REFERENCE_VENV:-$PWD/.venv-reference}"
if [ ! -x "$REFERENCE_VENV/bin/dsgrid" ]; then
  echo "Installing the reference dsgrid-toolkit 0.4.0 into $REFERENCE_VENV" >&2
  "${PYTHON:-python3}" -m venv "$REFERENCE_VENV"
  "$REFERENCE_VENV/bin/python" -m pip install --quiet "dsgrid-toolkit==0.4.0"
fi
export DSGRID_REFERENCE_VENV="$REFERENCE_VENV"

status=0
# the 30 slowest tests are listed: the suite must stay under 30 minutes in CI
"$PY" -m pytest --headless --durations=30 "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "FAILED: pytest collected no tests (exit code 5)." >&2
  exit 1
fi
exit "$status"
