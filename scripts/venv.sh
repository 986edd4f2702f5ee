# Sourced by start.sh and test.sh: the one project virtual environment both commands use.
#
# Both commands install into the same venv (DSGRID_VENV, default .venv in the checkout), never
# into the system interpreter, and both install the project editable: whichever ran last, the
# installed package is this checkout, so a viewer started by one keeps its modules and assets
# when the other reinstalls (a regular install replaced by an editable one used to take the
# assets from under a running viewer).
#   PYTHON       the interpreter the venv is made from (default: python3, else python)
#   DSGRID_VENV  where the venv lives (default: .venv beside pyproject.toml)

# Print the venv's interpreter, creating the venv first when it is missing.
project_venv() {
  local base venv
  base="${PYTHON:-$(command -v python3 || command -v python)}"
  venv="${DSGRID_VENV:-$PWD/.venv}"
  if [ ! -x "$venv/bin/python" ]; then
    if ! "$base" -m venv "$venv" >&2; then
      # Debian's python3 lacks venv until python3-venv is installed.
      rm -rf "$venv"
      apt-get update >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv >&2
      "$base" -m venv "$venv" >&2
    fi
  fi
  echo "$venv/bin/python"
}

# Install this checkout, editable, with the given extras into the venv of interpreter $1.
install_project() {
  local py="$1" extras="$2"
  "$py" -m pip install --quiet --upgrade pip
  "$py" -m pip install --quiet -e ".[$extras]"
}
