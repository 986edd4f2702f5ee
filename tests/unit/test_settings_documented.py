"""Every environment variable the code reads is a documented setting (dsgrid_core.settings),
and the settings reference in the docs lists each one."""

from __future__ import annotations

import re
from pathlib import Path

from dsgrid_core.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["dsgrid_core", "app", "scripts", "bench", "tests"]


def test_every_dsgrid_variable_in_the_code_is_a_setting():
    names = {s.name for s in SETTINGS}
    found: dict[str, set[str]] = {}
    for folder in SOURCES:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix not in (".py", ".sh") or "snapshots" in path.parts:
                continue
            for name in re.findall(r"\bDSGRID_[A-Z][A-Z0-9_]*\b", path.read_text()):
                found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    # names used as constants of the code, not environment variables
    not_settings = {"DSGRID_TIME_ZONES", "DSGRID_READ_ONLY", "DSGRID_TOKEN_REQUIRED"}
    # the reference toolkit's own variable, set for it when the suites run it
    not_settings |= {"DSGRID_BACKEND_ENGINE"}
    undocumented = {n: sorted(p) for n, p in found.items() if n not in names | not_settings}
    assert undocumented == {}, "add these to dsgrid_core/settings.py SETTINGS"
    assert all(s.help.endswith(".") and len(s.help) > 20 for s in SETTINGS)
