"""The README's two commands (scripts/start.sh, scripts/test.sh) share one project virtual
environment, so neither breaks what the other started: a viewer from start.sh kept running
while test.sh reinstalled the package into the system interpreter and lost its assets."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def _project_venv(tmp_path: Path, venv: Path) -> str:
    done = subprocess.run(  # noqa: S603
        ["bash", "-c", f"source {SCRIPTS / 'venv.sh'} && project_venv"],  # noqa: S607
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable, "DSGRID_VENV": str(venv)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_project_venv_is_made_once_and_is_not_the_system_interpreter(tmp_path):
    venv = tmp_path / "venv"
    interpreter = _project_venv(tmp_path, venv)
    assert interpreter == str(venv / "bin" / "python")
    prefixes = subprocess.run(  # noqa: S603
        [interpreter, "-c", "import sys; print(sys.prefix); print(sys.base_prefix)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert prefixes[0] == str(venv) and prefixes[1] != str(venv)

    marker = venv / "made-before"
    marker.write_text("")
    assert _project_venv(tmp_path, venv) == interpreter
    assert marker.exists(), "a second command must reuse the venv, not make it anew"


def _pip_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if re.search(r"\bpip install\b", line)]


def test_both_commands_install_this_checkout_into_the_project_venv_only():
    helpers = (SCRIPTS / "venv.sh").read_text()
    for name, extras in (("start.sh", "all"), ("test.sh", "all,test")):
        text = (SCRIPTS / name).read_text()
        assert 'PY="$(project_venv)"' in text, name
        assert f'install_project "$PY" {extras}' in text or (
            f'install_project "$PY" "{extras}"' in text
        ), name
        # no pip of its own into the project venv or the system: every install of this project
        # goes through install_project; test.sh adds only the reference toolkit, in its own venv
        own = [line for line in _pip_lines(text) if not line.startswith('"$REFERENCE_VENV/')]
        assert own == [], (name, own)
        assert "PIP_BREAK_SYSTEM_PACKAGES" not in text, name
    reference = _pip_lines((SCRIPTS / "test.sh").read_text())
    assert reference == [
        '"$REFERENCE_VENV/bin/python" -m pip install --quiet "dsgrid-toolkit==0.4.0"'
    ]
    # editable for both, so neither replaces the files a running viewer serves
    assert _pip_lines(helpers) == [
        '"$py" -m pip install --quiet --upgrade pip',
        '"$py" -m pip install --quiet -e ".[$extras]"',
    ]
