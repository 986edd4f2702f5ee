"""`dsgrid serve`: where the registry comes from, and refusal of a folder that does not exist."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from dsgrid_core.cli.serve_cmd import serve


@pytest.fixture
def ran(monkeypatch):
    """Replace the web server by a recorder of what serve would have started."""
    calls: list[dict] = []

    class FakeApp:
        def __init__(self, registry, **settings):
            self.registry, self.settings = registry, settings

        def run(self, **kwargs):
            calls.append({"registry": self.registry, **self.settings, **kwargs})

    monkeypatch.setattr("app.create_app", FakeApp)
    return calls


def _group_with_registry(registry: str | None) -> click.Group:
    """A stand-in for the main group: puts the registry on ctx.obj like `dsgrid --registry`."""

    @click.group()
    @click.pass_context
    def cli(ctx: click.Context) -> None:
        ctx.obj = {"registry": registry}

    cli.add_command(serve)
    return cli


def test_serve_uses_registry_from_main_group_and_loopback_by_default(tmp_path, ran, monkeypatch):
    monkeypatch.delenv("DSGRID_REGISTRY", raising=False)
    result = CliRunner().invoke(_group_with_registry(str(tmp_path)), ["serve"])

    assert result.exit_code == 0, result.output
    assert ran == [
        {
            "registry": str(tmp_path),
            "host": "127.0.0.1",
            "port": 8050,
            "debug": False,
            "read_only": False,
        }
    ]


def test_serve_falls_back_to_env_registry(tmp_path, ran, monkeypatch):
    monkeypatch.setenv("DSGRID_REGISTRY", str(tmp_path))
    result = CliRunner().invoke(
        _group_with_registry(None),
        ["serve", "--port", "9000", "--host", "0.0.0.0"],  # noqa: S104
    )

    assert result.exit_code == 0, result.output
    assert ran[0]["registry"] == str(tmp_path)
    assert (ran[0]["host"], ran[0]["port"]) == ("0.0.0.0", 9000)  # noqa: S104


def test_serve_refuses_missing_registry_folder_with_exit_2(tmp_path, ran):
    missing = tmp_path / "nope"
    result = CliRunner().invoke(_group_with_registry(str(missing)), ["serve"])

    assert result.exit_code == 2
    assert "does not exist" in result.output
    assert f"dsgrid registry create {missing}" in result.output
    assert ran == []


def test_serve_help_explains_loopback_default():
    result = CliRunner().invoke(serve, ["--help"])

    assert result.exit_code == 0
    assert "loopback" in result.output
