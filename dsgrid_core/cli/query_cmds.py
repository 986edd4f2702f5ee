"""`dsgrid query ...`: run, validate, and manage query jobs."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from dsgrid_core.cli.main import open_registry
from dsgrid_core.cli.output import emit_json, emit_table
from dsgrid_core.errors import InputError


def _open(ctx, read_only=True):
    return open_registry(ctx, read_only=read_only)


@click.group("query")
def query() -> None:
    """Run dsgrid project queries and manage query jobs."""


@query.command("run")
@click.argument("query_file", type=click.Path())
@click.option(
    "--output",
    "-o",
    "output_dir",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Writes OUTPUT/<query name>/table.parquet (or .csv).",
)
@click.option("--background", is_flag=True, help="Run as a detached job; print its id.")
@click.option("--time-limit", type=float, help="Stop the query after this many seconds.")
@click.option("--no-cache", is_flag=True, help="Do not read or fill the result cache.")
@click.option(
    "--no-summaries",
    is_flag=True,
    help="Read every dataset's table, never its summaries (the same answer; for checking and "
    "timing).",
)
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT/<query name> if it exists.")
@click.pass_context
def run_cmd(ctx, query_file, output_dir, background, time_limit, no_cache, no_summaries, overwrite):
    """Run QUERY_FILE (dsgrid project query JSON5) on the chosen engine."""
    from dsgrid_core.service import queries  # late: the planner loads with the first query

    query_model = queries.load_query(Path(query_file))
    target = Path(output_dir) / query_model.name
    if target.exists() and not overwrite:
        raise InputError(
            f"{target} already exists; remove it, choose another --output, or pass --overwrite."
        )
    options = {
        "engine": ctx.obj["engine"],
        "time_limit": time_limit,
        "output_dir": str(Path(output_dir).resolve()),
        "use_cache": not no_cache,
        "use_summaries": not no_summaries,
    }
    with _open(ctx) as registry:
        if background:  # mistakes are reported before a job starts
            job_id = queries.start_detached(registry, query_model, **options)
            if ctx.obj["json"]:
                emit_json({"ok": True, "job_id": job_id})
            else:
                click.echo(f"Started job {job_id}; follow it with `dsgrid query status {job_id}`.")
            return
        # A query refused while it is checked (bad input, exit 2) leaves no job behind; one
        # that fails once it runs is kept as a failed job (`dsgrid query list` shows why).
        job = queries.run_in_foreground(registry, query_model, **options)
    job_id, status = job.id, job.status
    if status != "succeeded":
        click.echo(f"Error: query {status}: {job.error}", err=True)
        if ctx.obj["json"]:
            emit_json({"ok": False, "job_id": job_id, "status": status, "error": job.error})
        sys.exit(2 if status == "failed" else 1)
    meta = job.metadata or {}
    if ctx.obj["json"]:
        emit_json({"ok": True, "job_id": job_id, "output": str(target), **meta})
    else:
        timings = meta.get("timings", {})
        click.echo(
            f"Wrote {meta.get('row_count', 0):,} rows to {target} "
            f"({meta.get('engine', '')}, cache {meta.get('cache')}, "
            f"{timings.get('total', 0):.2f} s)"
        )
        for notice in meta.get("notices", []):
            click.echo(f"Note: {notice}", err=True)


@query.command("create-derived-dataset-config")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.argument("dst", type=click.Path(file_okay=False))
@click.option("--overwrite", is_flag=True, help="Replace DST if it exists.")
@click.pass_context
def create_derived_dataset_config_cmd(ctx, src, dst, overwrite):
    """Write a dataset config (DST/dataset.json5, its data DST/load_data.parquet) made from
    the query result in SRC (`dsgrid query run`'s OUTPUT/<name>), referencing the project's
    dimensions; register it with `dsgrid registry datasets register` and submit it to the
    project (dsgrid's `query project create-derived-dataset-config`)."""
    from dsgrid_core.service import queries  # late: pyarrow

    with _open(ctx) as registry:
        summary = queries.create_derived_dataset_config(
            registry, Path(src), Path(dst), overwrite=overwrite
        )
    if ctx.obj["json"]:
        emit_json({"ok": True, **summary})
        return
    click.echo(
        f"Wrote {', '.join(summary['files'])} in {summary['folder']} for dataset "
        f"'{summary['dataset_id']}'."
    )
    for note in summary["notes"]:
        click.echo(f"Note: {note}", err=True)


@query.command("validate")
@click.argument("query_file", type=click.Path())
@click.option("--show-sql", is_flag=True, help="Print the SQL each engine would run.")
@click.pass_context
def validate_cmd(ctx, query_file, show_sql):
    """Check QUERY_FILE against the registry without running it."""
    from dsgrid_core.service import queries  # late: the planner loads with the first query

    query_model = queries.load_query(Path(query_file))
    with _open(ctx) as registry:
        checked = queries.check_query(registry, query_model)
    context, plan = checked.context, checked.plan
    ids = [d.dataset_id for d in context.datasets]
    columns = [o.name for o in plan.columns]
    if ctx.obj["json"]:
        emit_json({"ok": True, "columns": columns, "datasets": ids, "notices": context.notices})
    else:
        click.echo(
            f"Valid: {query_model.name} reads {', '.join(ids)}; columns {', '.join(columns)}"
        )
        for notice in context.notices:
            click.echo(f"Note: {notice}", err=True)
    if show_sql:
        click.echo(queries.plan_sql(checked))


def _job_json(job) -> dict:
    """The API's answer for the job (dsgrid_core.jobs.answers), with the local result folder."""
    from dsgrid_core.service import queries  # late: the planner loads with the first query

    return {**queries.job_answer(job, local=True), "result_path": job.result_path}


def _job_row(job) -> dict:
    """The fields the text output shows."""
    answer = _job_json(job)
    return {
        "id": answer["id"],
        "status": answer["status"],
        "progress": f"{answer['stages_done']}/{answer['stages_total']}",
        "message": answer["message"],
        "created_at": answer["created_at"],
        "error": answer["error"] or "",
        "result_path": answer["result_path"] or "",
    }


@query.command("status")
@click.argument("job_id")
@click.pass_context
def status_cmd(ctx, job_id):
    """Status and progress of a query job."""
    from dsgrid_core.service import queries  # late: the planner loads with the first query

    with _open(ctx) as registry:
        job = queries.find_job(registry.path, job_id, "`dsgrid query list` shows the recent ones")
    if ctx.obj["json"]:
        emit_json(_job_json(job))
    else:
        for key, value in _job_row(job).items():
            if value:
                click.echo(f"{key:>12}: {value}")


@query.command("cancel")
@click.argument("job_id")
@click.pass_context
def cancel_cmd(ctx, job_id):
    """Cancel a queued or running job."""
    from dsgrid_core.service import queries  # late: the planner loads with the first query

    with _open(ctx) as registry:
        path = registry.path
    message = queries.cancel_job(path, job_id)
    if ctx.obj["json"]:
        emit_json({"ok": True, "job_id": job_id, "message": message})
    else:
        click.echo(f"Job {job_id}: {message}")


@query.command("list")
@click.option("--limit", type=int, default=20, show_default=True)
@click.pass_context
def list_cmd(ctx, limit):
    """Recent query jobs (interrupted ones are marked failed)."""
    from dsgrid_core.service import queries  # late: the planner loads with the first query

    with _open(ctx) as registry:
        jobs = queries.recent_jobs(registry.path, limit)
    rows = [_job_row(j) for j in jobs]
    if ctx.obj["json"]:
        emit_json([_job_json(j) for j in jobs])
    else:
        emit_table(rows, ["id", "status", "progress", "created_at", "error"])


@query.command("clear-cache")
@click.pass_context
def clear_cache_cmd(ctx):
    """Remove every cached query result."""
    from dsgrid_core.service import queries  # late: the planner loads with the first query

    with _open(ctx) as registry:
        count = queries.clear_cache(registry.path)
    click.echo(f"Removed {count} cached result(s).")
