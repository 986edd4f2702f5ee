"""Run by the reference's own Python (dsgrid-toolkit 0.4.0 in DSGRID_REFERENCE_VENV), never by ours.

It reads one JSON job from stdin, runs every query file of the job against one reference
registry, as `dsgrid query project run` / `dsgrid query dataset run` do (the model read with
``from_file``, the project's or dataset's query submitter, the DuckDB backend), and writes one
JSON answer to a file: the whole batch costs one interpreter start (the reference takes over a
second to import).

Job: ``{"url": registry database URL, "workdir": folder, "answer": file, "queries": [{"key",
"path", "kind"}]}`` with kind "project" or "dataset". Answer: ``{"results": [verdict, ...]}`` in
the same order; a verdict is ``{"accepted": true, "table": parquet file, "reports": {name:
parquet file}}`` or ``{"accepted": false, "message": the reference's error}``. Every table is
written again as one Parquet file with duckdb (the reference writes a folder of parts, or a
CSV file).

A dataset query's ``to_dimension_references`` may name its dimensions (``name`` instead of
``dimension_id``): the reference's ids are made up at registration, so they are swapped in a
copy of the file first, as its bulk-register does for configs. The file imports nothing from
our project.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path


def _short(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:1500]


def _one_parquet(source: Path, target: Path) -> str:
    """``source`` (a file, a folder of parts, or a CSV file) as a single Parquet file."""
    import duckdb

    if source.suffix == ".csv":
        scan = f"read_csv_auto('{source}')"
    elif source.is_dir():
        scan = f"read_parquet('{source}/**/*.parquet')"
    else:
        scan = f"read_parquet('{source}')"
    target.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(f"COPY (SELECT * FROM {scan}) TO '{target}' (FORMAT parquet)")  # noqa: S608
    finally:
        con.close()
    return str(target)


def _with_dimension_ids(path: Path, mgr, workdir: Path) -> Path:
    """A copy of a dataset query whose to_dimension_references name their dimensions by name,
    with the registered ids in their place."""
    from dsgrid.utils.files import dump_data, load_data
    from dsgrid.utils.id_remappings import map_dimension_names_to_ids

    data = load_data(path)
    refs = data.get("to_dimension_references") or []
    if not any("name" in ref for ref in refs):
        return path
    names = map_dimension_names_to_ids(mgr.dimension_manager)
    for ref in refs:
        if "name" in ref:
            ref["dimension_id"] = names[ref.pop("name")]
    copy = workdir / "with_ids" / path.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    dump_data(data, copy, indent=2)
    return copy


def _run_project(mgr, path: Path, workdir: Path) -> Path:
    """Run a project query; returns its result folder. Queries of one column_type share an
    output folder, as a user's queries share the CLI's default --output: the reference maps
    each dataset to the project once per set of dataset filters and reuses it (its cache key
    leaves column_type out, although the mapped table's columns depend on it)."""
    from dsgrid.query.models import ProjectQueryModel
    from dsgrid.query.query_submitter import ProjectQuerySubmitter

    model = ProjectQueryModel.from_file(path)
    out = workdir / "out" / model.result.column_type.value
    project = mgr.project_manager.load_project(model.project.project_id)
    ProjectQuerySubmitter(project, out).submit(model, None, overwrite=True)
    return out / model.name


def _run_dataset(mgr, path: Path, workdir: Path) -> Path:
    from dsgrid.query.models import DatasetQueryModel
    from dsgrid.query.query_submitter import DatasetQuerySubmitter

    model = DatasetQueryModel.from_file(_with_dimension_ids(path, mgr, workdir))
    out = workdir / "out" / "dataset_queries"
    DatasetQuerySubmitter(out).submit(model, mgr, None, overwrite=True)
    return out / model.name


def run_one(mgr, item: dict, workdir: Path) -> dict:
    start = time.perf_counter()
    answer = _answer(mgr, item, workdir)
    answer["seconds"] = round(time.perf_counter() - start, 3)
    return answer


def _answer(mgr, item: dict, workdir: Path) -> dict:
    try:
        if item["kind"] == "dataset":
            folder = _run_dataset(mgr, Path(item["path"]), workdir)
        else:
            folder = _run_project(mgr, Path(item["path"]), workdir)
        table = next(folder.glob("table.*"))
        answer = {
            "accepted": True,
            "message": "",
            "table": _one_parquet(table, workdir / "tables" / item["key"] / "table.parquet"),
            "reports": {},
        }
        for report in sorted(folder.glob("*.parquet")):
            if report.name != "table.parquet":
                target = workdir / "tables" / item["key"] / f"report_{report.name}"
                answer["reports"][report.stem] = _one_parquet(report, target)
        return answer
    except Exception as exc:  # noqa: BLE001 - any refusal is a verdict to record
        return {"accepted": False, "message": _short(exc), "trace": traceback.format_exc()[-3000:]}


def main() -> None:
    job = json.loads(sys.stdin.read())
    logging.disable(logging.CRITICAL)
    workdir = Path(job["workdir"])
    workdir.mkdir(parents=True, exist_ok=True)
    # the reference writes dsgrid.log and its scratch folder into the working folder
    os.chdir(workdir)
    os.environ["DSGRID_BACKEND_ENGINE"] = "duckdb"
    from dsgrid.registry.common import DatabaseConnection
    from dsgrid.registry.registry_manager import RegistryManager

    mgr = RegistryManager.load(DatabaseConnection(url=job["url"]))
    try:
        results = [run_one(mgr, item, workdir) for item in job["queries"]]
    finally:
        mgr.dispose()
    Path(job["answer"]).write_text(json.dumps({"results": results}))


if __name__ == "__main__":
    main()
