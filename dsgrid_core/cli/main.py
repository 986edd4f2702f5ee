"""The `dsgrid` command. Heavy modules are imported inside commands so that `--help` and
listing stay fast."""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from pathlib import Path

import click

from dsgrid_core.cli.output import Progress, emit_json
from dsgrid_core.engine import ENGINES
from dsgrid_core.errors import DsgridError, InputError, Notice


class DsgridGroup(click.Group):
    """Turns every DsgridError into one paragraph on stderr and its exit code.

    Subcommands named in ``lazy_commands`` (name -> "module:attribute") are imported only when
    they run or when help lists them, so a command pays only for its own imports."""

    lazy_commands: dict[str, str] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, name: str):
        if name in self.lazy_commands and name not in self.commands:
            module, attribute = self.lazy_commands[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        _show_notices()

        try:
            if ctx.parent is None:
                _refuse_nul_arguments([*getattr(ctx, "_protected_args", []), *ctx.args])
            return super().invoke(ctx)
        except DsgridError as exc:
            obj = ctx.obj or {}
            if obj.get("json"):
                emit_json({"ok": False, **exc.to_dict()})
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing was changed.", err=True)
            sys.exit(130)


def _refuse_nul_arguments(args: list[str]) -> None:
    """A NUL byte in an argument (possible in-process; a shell cannot pass one) would reach
    ``os.stat`` in click's path parameters as "ValueError: embedded null byte": say which
    argument it is instead (exit 2, like any bad input)."""
    from dsgrid_core.config.files import shown_path  # late: keeps dsgrid --help fast

    for arg in args:
        if "\x00" in str(arg):
            raise InputError(
                f"{shown_path(arg)}: the argument contains a NUL character (\\x00), which no "
                "path or name can hold. Fix the argument."
            )


def _show_notices() -> None:
    """Notices (legacy keys read from configs, a dimension name shared with another) go to
    stderr as one 'Note:' line each."""
    from dsgrid_core.config.base import LegacyKeyWarning  # late: pydantic

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, (LegacyKeyWarning, Notice)):
            click.echo(f"Note: {message}", err=True)

    warnings.showwarning = show
    warnings.filterwarnings("default", message=".*legacy", category=UserWarning)


@click.group(cls=DsgridGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--registry",
    "registry",
    envvar="DSGRID_REGISTRY",
    type=click.Path(),
    help="Registry folder or arangodb://[user@]host:port/database URL (env DSGRID_REGISTRY).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout.")
@click.option(
    "--engine",
    type=click.Choice(list(ENGINES)),
    envvar="DSGRID_ENGINE",
    default="duckdb",
    show_default=True,
    help="Query engine (env DSGRID_ENGINE).",
)
@click.version_option(package_name="dsgrid-viewer")
@click.pass_context
def cli(ctx: click.Context, registry: str | None, as_json: bool, engine: str) -> None:
    """dsgrid-viewer: register, check, browse and query dsgrid projects and datasets."""
    ctx.ensure_object(dict)
    ctx.obj.update(registry=registry, json=as_json, engine=engine)


def open_registry(ctx: click.Context, *, read_only: bool = False):
    from dsgrid_core.service import open_registry  # late: keeps dsgrid --help fast

    path = ctx.obj.get("registry")
    if not path:
        raise InputError("no registry given: use --registry PATH or set DSGRID_REGISTRY.")
    return open_registry(path, read_only=read_only)


def data_root_option(f):
    return click.option(
        "--data-root",
        "data_roots",
        multiple=True,
        type=click.Path(),
        help="Also allow input files under this folder (repeatable; env DSGRID_DATA_ROOTS).",
    )(f)


def report_dir_option(f):
    return click.option(
        "--report-dir",
        type=click.Path(file_okay=False),
        help="On a failed check, write the full list of problems here as Parquet.",
    )(f)


@cli.command("demo")
@click.argument("path", type=click.Path())
@click.option(
    "--scale",
    type=click.Choice(["small", "medium", "large", "xlarge"]),
    default="small",
    show_default=True,
    help="small ~2.3M stacked rows, medium ~24M, large ~176M, xlarge ~1.2 billion (benchmarks).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--work-dir",
    type=click.Path(file_okay=False),
    help="Where to write the generated input files (default: PATH/.demo-input).",
)
@click.option(
    "--end-use-unit",
    metavar="UNIT",
    help="Write every end use in this energy unit (kWh, MWh, ...), the values unchanged, as "
    "real projects keep theirs (default: the demo mixes MWh, kWh, MBtu and therm on purpose).",
)
@click.pass_context
def demo_cmd(ctx, path, scale, seed, work_dir, end_use_unit):
    """Build a demo registry in PATH from generated, realistic US building load data."""
    from dsgrid_core.service.demo import build_demo  # late: keeps dsgrid --help fast

    done = build_demo(
        path,
        scale=scale,
        seed=seed,
        work_dir=work_dir,
        end_use_unit=end_use_unit,
        progress=Progress(f"demo {scale}"),
    )
    if ctx.obj["json"]:
        emit_json({"ok": True, "path": str(Path(path).resolve()), "items": done})
    else:
        click.echo(
            f"Demo registry ready in {path}: " + ", ".join(f"{i['kind']} {i['id']}" for i in done)
        )


cli.lazy_commands = {
    "registry": "dsgrid_core.cli.registry_cmds:registry",
    "query": "dsgrid_core.cli.query_cmds:query",
    "serve": "dsgrid_core.cli.serve_cmd:serve",
    "worker": "dsgrid_core.cli.worker_cmd:worker",
}

if __name__ == "__main__":  # pragma: no cover
    cli(prog_name=os.path.basename(sys.argv[0]))
