"""A project with two base metric dimensions, carried through registration, submission,
coverage and queries.

The project is dsgrid's test_efs with a second base metric dimension holding the ComStock end
uses. Registration verdicts are compared with dsgrid-toolkit 0.4.0 registering the same
projects; the submitted dataset's numbers with pandas over its raw Parquet file.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess  # noqa: S404 - runs the reference's own CLI on fixed arguments
from pathlib import Path

import json5
import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_BIN = (
    Path(os.environ.get("DSGRID_REFERENCE_VENV") or REPO_ROOT / ".venv-reference") / "bin"
)
SECOND_METRIC = "ComStock End Uses Project"
EFS_METRIC = "EFS Detailed End Uses - ComStock Only"
UNPIVOTED = "datasets/modeled/comstock_unpivoted"


def _project(test_data: Path) -> dict:
    data = json5.loads(
        (test_data / "test_efs/dsgrid_project/project.json5").read_text(encoding="utf-8")
    )
    data["dimensions"]["base_dimensions"].append(
        {
            "class": "EnergyEndUse",
            "type": "metric",
            "name": SECOND_METRIC,
            "description": "ComStock end uses as a second base metric dimension",
            "file": "dimensions/comstock_enduses_project.csv",
        }
    )
    # With two base metrics every dataset says whose records it needs (dsgrid refuses
    # otherwise; see the case two_metrics_unnamed).
    for dataset, name in zip(data["datasets"], (EFS_METRIC, SECOND_METRIC), strict=False):
        dataset["required_dimensions"].setdefault("single_dimensional", {})["metric"] = {
            "base": {"record_ids": ["__all__"], "dimension_name": name}
        }
    return data


def _unnamed(data):
    for dataset in data["datasets"]:
        del dataset["required_dimensions"]["single_dimensional"]["metric"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory, test_data) -> Path:
    """test_efs's project folder with the second metric's records and a mappings file that
    maps only subsector and model year (the dataset's metric records are the second base)."""
    # the same layout as the test data: the dataset config names its data file relatively
    root = tmp_path_factory.mktemp("multi")
    target = root / "test_efs" / "dsgrid_project"
    shutil.copytree(test_data / "test_efs/dsgrid_project", target)
    shutil.copytree(
        test_data / "datasets/test_efs_comstock_unpivoted",
        root / "datasets/test_efs_comstock_unpivoted",
    )
    shutil.copy(
        target / UNPIVOTED / "dimensions/comstock_enduses.csv",
        target / "dimensions/comstock_enduses_project.csv",
    )
    mappings = json5.loads((target / UNPIVOTED / "dimension_mappings.json5").read_text())
    mappings["mappings"] = [m for m in mappings["mappings"] if m["dimension_type"] != "metric"]
    (target / UNPIVOTED / "mappings_no_metric.json5").write_text(json.dumps(mappings))
    return target


def _variant(base: dict, project_id: str, change=None) -> dict:
    data = copy.deepcopy(base)
    data["project_id"] = project_id
    data["name"] = project_id
    if change:
        change(data)
    return data


def _require_metric(name: str | None):
    def change(data):
        base = {"record_ids": ["com_fans"]}
        if name:
            base["dimension_name"] = name
        data["datasets"][1]["required_dimensions"]["single_dimensional"]["metric"] = {"base": base}

    return change


def _metric_supplemental(base_name: str | None):
    def change(data):
        mapping = {
            "file": "dimension_mappings/base_to_supplemental/lookup_comstock_end_use_to_all.csv",
            "mapping_type": "many_to_one_aggregation",
        }
        if base_name:
            mapping["project_base_dimension_name"] = base_name
        data["dimensions"]["supplemental_dimensions"].append(
            {
                "class": "EnergyEndUse",
                "type": "metric",
                "name": "All ComStock end uses",
                "description": "one record",
                "file": "dimensions/supplemental/all_comstock_end_uses.csv",
                "mapping": mapping,
            }
        )

    return change


def _second_time(data):
    time = copy.deepcopy(
        next(d for d in data["dimensions"]["base_dimensions"] if d["type"] == "time")
    )
    time["name"] = "Second time"
    data["dimensions"]["base_dimensions"].append(time)


# project_id -> (change, verdict both must give)
CASES = {
    "two_metrics": (None, "ok"),
    "two_metrics_unnamed": (_unnamed, "refused"),
    "required_metric_unnamed": (_require_metric(None), "refused"),
    "required_metric_named": (_require_metric(SECOND_METRIC), "ok"),
    "metric_supplemental_unnamed": (_metric_supplemental(None), "refused"),
    "metric_supplemental_named": (_metric_supplemental(SECOND_METRIC), "ok"),
    "two_times": (_second_time, "refused"),
}


def _write_supplemental_files(folder: Path) -> None:
    (folder / "dimensions/supplemental/all_comstock_end_uses.csv").write_text(
        "id,name,fuel_id,unit\nall,All,electricity,MWh\n"
    )
    (
        folder / "dimension_mappings/base_to_supplemental/lookup_comstock_end_use_to_all.csv"
    ).write_text("from_id,to_id\ncom_cooling,all\ncom_fans,all\n")


@pytest.fixture(scope="module")
def reference_verdicts(folder, test_data, tmp_path_factory) -> dict[str, str]:
    dsgrid = REFERENCE_BIN / "dsgrid"
    if not dsgrid.exists():
        pytest.skip(f"reference venv (dsgrid-toolkit 0.4.0) not found at {REFERENCE_BIN}")
    _write_supplemental_files(folder)
    work = tmp_path_factory.mktemp("reference_registry")
    url = f"sqlite:///{work}/ref.db"
    subprocess.run(  # noqa: S603 - fixed executable and arguments
        [str(dsgrid), "create-registry", url, "-p", str(work / "data")],
        cwd=work,
        capture_output=True,
        check=True,
        timeout=600,
    )
    verdicts = {}
    base = _project(test_data)
    for project_id, (change, _) in CASES.items():
        config = folder / f"ref_{project_id}.json5"
        config.write_text(json.dumps(_variant(base, project_id, change)))
        done = subprocess.run(  # noqa: S603 - fixed executable and arguments
            [str(dsgrid), "-u", url, "registry", "projects", "register", str(config), "-l", "t"],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        output = done.stdout + done.stderr
        registered = f"Registered project {project_id} with version" in output
        verdicts[project_id] = "ok" if registered else f"refused: {output[-400:]}"
    verdicts["__db__"] = str(work / "ref.db")
    return verdicts


@pytest.mark.parametrize("project_id", sorted(CASES))
def test_registration_verdict_matches_reference(
    project_id, folder, test_data, reference_verdicts, dsgrid, tmp_path
):
    change, expected = CASES[project_id]
    _write_supplemental_files(folder)
    config = folder / f"ours_{project_id}.json5"
    config.write_text(json.dumps(_variant(_project(test_data), project_id, change)))
    registry = tmp_path / "registry"
    assert dsgrid("registry", "create", registry).exit_code == 0
    result = dsgrid("registry", "projects", "register", config, "-l", "t", registry=registry)
    ours = "ok" if result.exit_code == 0 else f"refused: {result.stderr[-300:]}"
    theirs = reference_verdicts[project_id]
    assert theirs.split(":")[0] == expected, theirs
    assert ours.split(":")[0] == expected, ours
    if expected == "refused":
        assert result.exit_code == 2, result.stderr


def _reference_supplementals(db: str, project_id: str) -> dict[str, tuple]:
    """name -> (type, record ids, mapping pairs) of a project the reference registered, read
    from its registry database (JSON models)."""
    import sqlite3

    con = sqlite3.connect(db)
    try:
        models = [
            (kind, json.loads(text))
            for kind, text in con.execute("SELECT model_type, model FROM models")
        ]
    finally:
        con.close()
    dims = {m["dimension_id"]: m for kind, m in models if kind == "dimension"}
    maps = {
        m["to_dimension"]["dimension_id"]: m for kind, m in models if kind == "dimension_mapping"
    }
    project = next(m for kind, m in models if kind == "project" and m["project_id"] == project_id)
    out = {}
    for ref in project["dimensions"]["supplemental_dimension_references"]:
        dim = dims[ref["dimension_id"]]
        pairs = {
            (r["from_id"], r.get("to_id"))
            for r in maps[ref["dimension_id"]]["records"]
            if r.get("to_id")
        }
        out[dim["name"]] = (dim["type"], sorted(r["id"] for r in dim["records"]), pairs)
    return out


def test_generated_supplemental_dimensions_equal_the_reference(
    folder, test_data, reference_verdicts, dsgrid, tmp_path
):
    """The "all" dimensions and the subset group's dimension: same names, records and mapped
    pairs as dsgrid registers for the same project."""
    from dsgrid_core.registry.registry import Registry

    config = folder / "ours_generated.json5"
    config.write_text(json.dumps(_variant(_project(test_data), "two_metrics")))
    registry = tmp_path / "registry"
    assert dsgrid("registry", "create", registry).exit_code == 0
    assert (
        dsgrid("registry", "projects", "register", config, "-l", "t", registry=registry).exit_code
        == 0
    )
    ours = {}
    with Registry(registry, read_only=True) as reg:
        for s in reg.show("project", "two_metrics").extra["supplemental_dimensions"]:
            records = reg.store.dimension_records(s["id"], s["version"])
            pairs = {
                (f, t)
                for f, t, _ in reg.store.mapping_records(s["mapping_id"], s["mapping_version"])
                if t
            }
            ours[s["name"]] = (s["type"], sorted(r["id"] for r in records), pairs)
    theirs = _reference_supplementals(reference_verdicts["__db__"], "two_metrics")
    assert sorted(ours) == sorted(theirs)
    assert "all_two_metrics_model_years" in ours
    for name in theirs:
        assert ours[name] == theirs[name], name


@pytest.fixture(scope="module")
def submitted(folder, test_data, tmp_path_factory, dsgrid) -> Path:
    """Our registry with the two-metric project and test_efs_comstock_unpivoted submitted
    without a metric mapping."""
    config = folder / "multi_project.json5"
    config.write_text(json.dumps(_variant(_project(test_data), "multi")))
    bulk = folder / "bulk.json5"
    bulk.write_text(
        json.dumps(
            {
                "projects": [{"project_id": "multi", "config_file": str(config)}],
                "datasets": [
                    {
                        "dataset_id": "test_efs_comstock_unpivoted",
                        "config_file": str(folder / UNPIVOTED / "dataset.json5"),
                        "replace_dimension_names_with_ids": True,
                    }
                ],
                "dataset_submissions": [
                    {
                        "dataset_id": "test_efs_comstock_unpivoted",
                        "project_id": "multi",
                        "dimension_mapping_file": str(
                            folder / UNPIVOTED / "mappings_no_metric.json5"
                        ),
                        "replace_dimension_mapping_names_with_ids": True,
                    }
                ],
            }
        )
    )
    registry = tmp_path_factory.mktemp("ours") / "registry"
    assert dsgrid("registry", "create", registry).exit_code == 0
    result = dsgrid(
        "registry",
        "bulk-register",
        bulk,
        "--data-root",
        folder.parent.parent,
        registry=registry,
    )
    assert result.exit_code == 0, result.stderr
    return registry


def _raw(test_data: Path) -> pd.DataFrame:
    return pd.read_parquet(test_data / "datasets/test_efs_comstock_unpivoted/load_data.parquet")


def test_submission_records_the_base_dimension_chosen(submitted):
    from dsgrid_core.registry.registry import Registry

    with Registry(submitted, read_only=True) as registry:
        project = registry.show("project", "multi")
    entry = next(
        d for d in project.config["datasets"] if d["dataset_id"] == "test_efs_comstock_unpivoted"
    )
    # the dataset's metric records are records of the second base metric: no mapping needed
    assert entry["base_dimension_names"]["metric"] == SECOND_METRIC
    refs = project.config["dimension_mappings"]["dataset_to_project"]["test_efs_comstock_unpivoted"]
    assert sorted(r["from_dimension_type"] for r in refs) == ["model_year", "subsector"]
    assert all(r["mapping_id"] for r in refs)
    names = [b["name"] for b in project.extra["base_dimension_list"] if b["type"] == "metric"]
    assert names == [EFS_METRIC, SECOND_METRIC]


def test_coverage_uses_the_chosen_base(submitted, test_data):
    from dsgrid_core.browse.projects import PRESENT, project_coverage
    from dsgrid_core.registry.registry import Registry

    with Registry(submitted, read_only=True) as registry:
        grid = project_coverage(
            registry, "multi", "test_efs_comstock_unpivoted", x="geography", y="metric"
        )
    raw = _raw(test_data)
    # the metric axis is the second base metric (the dataset's own end uses), not EFS's
    assert sorted(grid["y_ids"]) == sorted(
        pd.read_csv(
            test_data / "test_efs/dsgrid_project" / UNPIVOTED / "dimensions/comstock_enduses.csv"
        )["id"]
    )
    present = {
        (a, b)
        for j, b in enumerate(grid["y_ids"])
        for i, a in enumerate(grid["x_ids"])
        if grid["z"][j][i] == PRESENT
    }
    assert present == set(zip(raw.geography, raw.metric, strict=True))
    assert grid["counts"]["present"] == len(present)


def test_query_by_the_second_base_metric_matches_pandas(submitted, test_data, folder):
    from dsgrid_core.query.run import parse_query, run_query
    from dsgrid_core.registry.registry import Registry

    query = {
        "name": "by_metric",
        "project": {
            "project_id": "multi",
            "dataset": {
                "dataset_id": "by_metric",
                "source_datasets": [{"dataset_id": "test_efs_comstock_unpivoted"}],
            },
        },
        "result": {
            "aggregations": [
                {
                    "dimensions": {
                        "metric": [SECOND_METRIC],
                        "model_year": ["Model Years 2010 to 2050"],
                    }
                }
            ],
            "column_type": "dimension_types",
        },
    }
    with Registry(submitted, read_only=True) as registry:
        result = run_query(registry, parse_query(query), engine="duckdb", use_cache=False)
    table = result.table.to_pandas()

    raw = _raw(test_data)
    subsectors = pd.read_csv(
        folder
        / UNPIVOTED
        / "dimension_mappings/lookup_comstock_subsectors_to_project_subsectors.csv"
    )
    years = pd.read_csv(
        folder / UNPIVOTED / "dimension_mappings/model_year_to_model_year.csv", dtype=str
    )
    years["from_fraction"] = years["from_fraction"].astype(float)
    frame = raw.merge(subsectors, left_on="subsector", right_on="from_id")
    frame["value"] = frame["value"] * frame["from_fraction"]
    per_metric = frame.groupby("metric")["value"].sum()
    expected = pd.DataFrame(
        [
            {"metric": m, "model_year": y, "value": v * f}
            for m, v in per_metric.items()
            for y, f in zip(years["to_id"], years["from_fraction"], strict=True)
        ]
    ).sort_values(["metric", "model_year"], ignore_index=True)
    actual = (
        table[["metric", "model_year", "value"]]
        .sort_values(["metric", "model_year"], ignore_index=True)
        .astype({"model_year": str})
    )
    assert list(actual["metric"]) == list(expected["metric"])
    assert list(actual["model_year"]) == list(expected["model_year"])
    pd.testing.assert_series_equal(actual["value"], expected["value"], rtol=1e-9)


def test_mapping_names_its_base_dimension(folder, test_data, tmp_path, dsgrid):
    """A metric mapping with project_base_dimension_name goes to that base dimension; one
    naming no base dimension of the project is refused."""
    from dsgrid_core.registry.registry import Registry

    def project(data):
        data["datasets"][1]["required_dimensions"]["single_dimensional"]["metric"]["base"][
            "dimension_name"
        ] = EFS_METRIC

    config = folder / "named_project.json5"
    config.write_text(json.dumps(_variant(_project(test_data), "named", project)))
    original = json5.loads((folder / UNPIVOTED / "dimension_mappings.json5").read_text())
    for base_name, file in ((EFS_METRIC, "named.json5"), ("No such metric", "bad.json5")):
        mappings = copy.deepcopy(original)
        for m in mappings["mappings"]:
            if m["dimension_type"] == "metric":
                m["project_base_dimension_name"] = base_name
        (folder / UNPIVOTED / file).write_text(json.dumps(mappings))
    registry = tmp_path / "registry"
    assert dsgrid("registry", "create", registry).exit_code == 0
    assert (
        dsgrid("registry", "projects", "register", config, "-l", "t", registry=registry).exit_code
        == 0
    )
    dataset = folder / UNPIVOTED / "dataset.json5"
    root = str(folder.parent.parent)
    result = dsgrid(
        "registry",
        "datasets",
        "register",
        dataset,
        "-l",
        "t",
        "--data-root",
        root,
        registry=registry,
    )
    assert result.exit_code == 0, result.stderr
    submit = (
        "registry",
        "projects",
        "submit-dataset",
        "-p",
        "named",
        "-d",
        "test_efs_comstock_unpivoted",
    )
    bad = dsgrid(*submit, "-m", folder / UNPIVOTED / "bad.json5", "-l", "t", registry=registry)
    assert bad.exit_code == 2
    assert "no base metric dimension named 'No such metric'" in bad.stderr
    # without the metric mapping the dataset's end uses are the second base metric's records,
    # but the project requires EFS's: refused, naming both
    other = dsgrid(
        *submit, "-m", folder / UNPIVOTED / "mappings_no_metric.json5", "-l", "t", registry=registry
    )
    assert other.exit_code == 2
    assert f"requires metric records of base dimension '{EFS_METRIC}'" in other.stderr
    good = dsgrid(*submit, "-m", folder / UNPIVOTED / "named.json5", "-l", "t", registry=registry)
    assert good.exit_code == 0, good.stderr
    with Registry(registry, read_only=True) as reg:
        entry = reg.show("project", "named").config["datasets"][1]
    assert entry["base_dimension_names"]["metric"] == EFS_METRIC
