"""Running the reference dsgrid-toolkit 0.4.0 CLI (in its own virtual environment) from tests.

The reference is not a dependency: tests that need it skip, saying so, when its environment
(DSGRID_REFERENCE_VENV, default REPO/.venv-reference) or the dsgrid test data is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REFERENCE_VENV = Path(os.environ.get("DSGRID_REFERENCE_VENV", REPO / ".venv-reference"))
REFERENCE_CLI = REFERENCE_VENV / "bin" / "dsgrid"


def require_reference() -> Path:
    if not REFERENCE_CLI.exists():
        pytest.skip(
            f"the reference dsgrid-toolkit 0.4.0 is not installed at {REFERENCE_VENV} "
            "(set DSGRID_REFERENCE_VENV)"
        )
    return REFERENCE_CLI


def private_tmp_env(folder: Path, **extra: str) -> dict[str, str]:
    """The environment of a reference process with a TMPDIR of its own (``folder``, made here)
    and ``extra`` variables: reference processes may run side by side, and the reference
    writes fixed names such as dimension_mappings.json5 into the temporary folder."""
    folder.mkdir(parents=True, exist_ok=True)
    return {**os.environ, **extra, "TMPDIR": str(folder)}


def reference(
    *args: str | Path,
    url: str | None = None,
    cwd: Path,
    check: bool = True,
    private_tmp: Path | None = None,
) -> subprocess.CompletedProcess:
    """One reference CLI call; it writes dsgrid.log into ``cwd``. ``private_tmp``: its
    TMPDIR, for a call that may run beside other reference calls (``private_tmp_env``)."""
    argv = [str(require_reference())]
    if url is not None:
        argv += ["-u", url]
    argv += [str(a) for a in args]
    env = private_tmp_env(private_tmp) if private_tmp is not None else None
    done = subprocess.run(  # noqa: S603
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"reference {' '.join(argv[1:])} failed ({done.returncode}):\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done


def create_reference_registry(folder: Path) -> tuple[str, Path]:
    """A new, empty reference registry in ``folder``: (its URL, its data path)."""
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'ref.db'}"
    data = folder / "ref-data"
    reference("create-registry", url, "-p", data, cwd=folder)
    return url, data


def writable_copy(source: Path, target: Path) -> Path:
    """The reference writes next to the files it registers: work on a copy."""
    shutil.copytree(source, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


_BUILT: dict[tuple[str, str], tuple[str, Path, Path]] = {}
_BUILDING = threading.Lock()  # tests/conftest.py may build it in a thread, ahead of its tests


def reference_efs_registry(tmp_path_factory, test_data: Path) -> tuple[str, Path, Path]:
    """The reference's own registration of test_efs (its bulk-register, run from a copy of the
    test data as bench/reference_side_by_side.py does), built once per test session: (url,
    data path, database path). Tests read it, never change it."""
    key = (str(tmp_path_factory.getbasetemp()), str(test_data))
    with _BUILDING:
        if key not in _BUILT:
            root = tmp_path_factory.mktemp("reference-efs")
            url, data = create_reference_registry(root)
            files = writable_copy(test_data, root / "td")
            reference(
                "registry",
                "bulk-register",
                "test_efs_registration.json5",
                url=url,
                cwd=files,
                private_tmp=root / "tmp",
            )
            _BUILT[key] = (url, data, root / "ref.db")
    return _BUILT[key]
