"""The docs cannot drift: the generated reference pages are up to date, and every CLI command,
setting and API route is in them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "reference"
sys.path.insert(0, str(ROOT / "scripts"))


def test_generated_reference_pages_are_up_to_date():
    done = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr + "\nrun: python scripts/gen_docs.py"


def test_every_command_setting_and_route_is_documented():
    import gen_docs

    from app.api.route_table import ROUTES
    from dsgrid_core.settings import SETTINGS

    cli = (REFERENCE / "cli.md").read_text()
    for name, _ in gen_docs.cli_commands():
        assert f"`{name}`" in cli, f"CLI command {name} is not in docs/reference/cli.md"
    settings = (REFERENCE / "settings.md").read_text()
    for setting in SETTINGS:
        assert f"`{setting.name}`" in settings, f"{setting.name} is not in settings.md"
    api = (REFERENCE / "api.md").read_text()
    for route in ROUTES:
        assert f"`{route.method} /api/v1{route.path}`" in api, f"{route.path} not in api.md"


def test_the_docs_navigation_lists_every_page():
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())

    def pages(nav):
        for item in nav:
            value = next(iter(item.values())) if isinstance(item, dict) else item
            if isinstance(value, list):
                yield from pages(value)
            else:
                yield value

    listed = set(pages(config["nav"]))
    present = {str(p.relative_to(ROOT / "docs")) for p in (ROOT / "docs").rglob("*.md")}
    assert present - listed == set(), "pages missing from mkdocs.yml nav"
    assert listed - present == set(), "nav entries without a page"
