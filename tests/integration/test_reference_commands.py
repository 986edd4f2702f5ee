"""The reference's project registration commands, run by the reference and by us on the same
files: same verdict, same resulting project version, same dimensions.

Set-up: the reference registers the test_efs project; we import its registry (`dsgrid
registry import`), so both registries hold the same dimension ids and one dataset config,
naming its dimensions by id as the reference requires, serves both. Then each command runs on
both sides, in order, and the two registries are compared after each step.
"""

from __future__ import annotations

import contextlib
import csv
import json
import sqlite3
from pathlib import Path

import json5
import pandas as pd
import pyarrow.parquet as pq
import pytest

from tests.reference_cli import create_reference_registry, reference, writable_copy

UNPIVOTED = "test_efs/dsgrid_project/datasets/modeled/comstock_unpivoted"


def _write_inputs(folder: Path, test_data: Path) -> None:
    """A subset group, a supplemental dimension (and a broken one), new requirements."""
    project = test_data / "test_efs" / "dsgrid_project"
    subsectors = [r["id"] for r in csv.DictReader(open(project / "dimensions/subsectors.csv"))]
    counties = list(csv.DictReader(open(project / "dimensions/comstock_counties.csv")))
    with open(folder / "by_size.csv", "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "offices", "not_offices"])
        for s in subsectors:
            out.writerow([s, "x" if "Office" in s else "", "" if "Office" in s else "x"])
    zones = sorted({c["time_zone"] for c in counties})
    with open(folder / "zones.csv", "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name"])
        out.writerows([[z.replace("/", "_"), z] for z in zones])
    for name, extra in (("county_to_zone.csv", []), ("county_to_zone_bad.csv", [["99999", "x"]])):
        with open(folder / name, "w", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["from_id", "to_id"])
            out.writerows([[c["id"], c["time_zone"].replace("/", "_")] for c in counties])
            out.writerows(extra)
    subset = {
        "subset_dimensions": [
            {
                "name": "Subsectors by Size",
                "description": "Offices and the rest",
                "type": "subsector",
                "filename": "by_size.csv",
                "selectors": [
                    {"name": "offices", "description": "Office buildings"},
                    {"name": "not_offices", "description": "Every other building type"},
                ],
            }
        ]
    }
    (folder / "subsets.json5").write_text(json.dumps(subset))
    for name, mapping_file in (
        ("Test Time Zones", "county_to_zone.csv"),
        ("Bad Time Zones", "county_to_zone_bad.csv"),
    ):
        supplemental = {
            "supplemental_dimensions": [
                {
                    "type": "geography",
                    "name": name,
                    "description": "Counties grouped by time zone",
                    "class": "Geography",
                    "file": "zones.csv",
                    "mapping": {
                        "description": "County to its time zone",
                        "file": mapping_file,
                        "mapping_type": "many_to_one_aggregation",
                    },
                }
            ]
        }
        file = "supplemental.json5" if mapping_file == "county_to_zone.csv" else "bad.json5"
        (folder / file).write_text(json.dumps(supplemental))
    for dataset_id, file in (
        ("test_efs_comstock_unpivoted", "requirements.json5"),
        ("test_efs_comstock", "requirements_unregistered.json5"),
    ):
        requirements = {
            "dataset_dimension_requirements": [
                {
                    "dataset_id": dataset_id,
                    "required_dimensions": {"single_dimensional": {"sector": {"base": ["com"]}}},
                }
            ]
        }
        (folder / file).write_text(json.dumps(requirements))


class Sides:
    """The reference registry and ours, with the same project; runs a command on both."""

    def __init__(self, root: Path, test_data: Path, dsgrid):
        self.root = root
        self.dsgrid = dsgrid
        self.files = writable_copy(test_data, root / "td")
        self.inputs = root / "inputs"
        self.inputs.mkdir()
        _write_inputs(self.inputs, test_data)
        self.url, self.data = create_reference_registry(root / "reference")
        self.db = root / "reference" / "ref.db"
        project_dir = self.files / "test_efs" / "dsgrid_project"
        reference(
            "registry",
            "projects",
            "register",
            "project.json5",
            "-l",
            "register",
            url=self.url,
            cwd=project_dir,
        )
        self.ours = root / "ours"
        self.only_ours: set[str] = set()
        assert dsgrid("registry", "create", self.ours).exit_code == 0
        assert dsgrid("registry", "import", self.url, registry=self.ours).exit_code == 0
        # the dataset config naming the project's dimensions by id, as the reference requires
        config_dir = self.files / UNPIVOTED
        config = json5.loads((config_dir / "dataset.json5").read_text())
        ids = self.reference_dimension_ids()
        for ref in config["dimension_references"]:
            ref["dimension_id"] = ids[(ref["type"], ref.pop("name"))]
        (config_dir / "dataset_ids.json5").write_text(json.dumps(config))

    def reference_dimension_ids(self) -> dict[tuple[str, str], str]:
        with sqlite3.connect(self.db) as con:
            rows = con.execute("SELECT model_id, model FROM models WHERE model_type='dimension'")
            return {(json.loads(m)["type"], json.loads(m)["name"]): i for i, m in rows.fetchall()}

    def run(self, *args, cwd: Path, ours_extra=()):
        theirs = reference(*args, url=self.url, cwd=cwd, check=False)
        ours = self.dsgrid(*args[: -0 or None], *ours_extra, registry=self.ours) if False else None
        with contextlib.chdir(cwd):
            ours = self.dsgrid(*args, *ours_extra, registry=self.ours)
        return theirs, ours

    def reference_project(self) -> dict:
        with sqlite3.connect(self.db) as con:
            row = con.execute(
                "SELECT m.model FROM current_versions c JOIN models m ON m.id = c.current_id "
                "WHERE c.model_type='project' AND c.model_id='test_efs'"
            ).fetchone()
        return json.loads(row[0])

    def compare_projects(self) -> dict:
        """Version, supplemental dimension names and subset selectors, on both sides, but for
        ``only_ours``: subset groups the reference leaves out of its project (see test 2)."""
        from dsgrid_core.registry.registry import Registry

        model = self.reference_project()
        names = {}
        with sqlite3.connect(self.db) as con:
            for ref in model["dimensions"]["supplemental_dimension_references"]:
                m = con.execute(
                    "SELECT model FROM models WHERE model_type='dimension' AND model_id=? "
                    "AND version=?",
                    (ref["dimension_id"], ref["version"]),
                ).fetchone()
                names[json.loads(m[0])["name"]] = ref["dimension_id"]
        subsets = {}
        for group in model["dimensions"]["subset_dimensions"]:
            selectors = {}
            with sqlite3.connect(self.db) as con:
                for ref in group["selector_references"]:
                    m = json.loads(
                        con.execute(
                            "SELECT model FROM models WHERE model_type='dimension' AND model_id=?",
                            (ref["dimension_id"],),
                        ).fetchone()[0]
                    )
                    selectors[m["name"]] = sorted(r["id"] for r in m["records"])
            subsets[group["name"]] = selectors
        with Registry(self.ours, read_only=True) as reg:
            ours = reg.show("project", "test_efs")
            our_subsets = {
                name: {s: sorted(ids) for s, ids in g["selectors"].items()}
                for name, g in ours.extra["subset_dimensions"].items()
                if name not in self.only_ours
            }
            assert ours.version == model["version"]
            assert sorted(s["name"] for s in ours.extra["supplemental_dimensions"]) == sorted(names)
            assert our_subsets == subsets
            statuses = {d["dataset_id"]: d["status"] for d in ours.config["datasets"]}
        assert statuses == {d["dataset_id"]: d["status"] for d in model["datasets"]}
        return {"version": model["version"], "supplemental": len(names), "subsets": subsets}


@pytest.fixture(scope="module")
def sides(tmp_path_factory, test_data):
    from tests.conftest import run_dsgrid
    from tests.reference_cli import require_reference

    require_reference()
    return Sides(tmp_path_factory.mktemp("commands"), test_data, run_dsgrid)


def test_1_register_and_submit_dataset(sides):
    theirs, ours = sides.run(
        "registry",
        "projects",
        "register-and-submit-dataset",
        "-c",
        "dataset_ids.json5",
        "-m",
        "dimension_mappings.json5",
        "-p",
        "test_efs",
        "-l",
        "register and submit",
        cwd=sides.files / UNPIVOTED,
        ours_extra=("--data-root", str(sides.files)),
    )
    assert theirs.returncode == 0 and ours.exit_code == 0, (theirs.stderr[-2000:], ours)
    state = sides.compare_projects()
    assert state["version"] == "1.1.0"
    # the stored data: ours against a pandas read of the reference's Parquet files
    from dsgrid_core.registry.registry import Registry

    table = pd.read_parquet(
        sides.data / "data" / "test_efs_comstock_unpivoted" / "1.0.0" / "table.parquet"
    )
    with Registry(sides.ours, read_only=True) as reg:
        stored = pq.read_table(reg.dataset_table_path("test_efs_comstock_unpivoted")).to_pandas()
    assert len(stored) == len(table) == 35616
    assert stored["value"].sum() == pytest.approx(table["value"].sum(), rel=1e-12)


def test_2_register_subset_dimensions(sides):
    theirs, ours = sides.run(
        "registry",
        "projects",
        "register-subset-dimensions",
        "test_efs",
        "subsets.json5",
        "-l",
        "subsets by size",
        cwd=sides.inputs,
    )
    assert theirs.returncode == 0 and ours.exit_code == 0, (theirs.stderr[-2000:], ours)
    sides.only_ours.add("Subsectors by Size")
    state = sides.compare_projects()
    assert state["version"] == "1.1.1"  # patch, the reference's default
    # The reference registers a dimension per selector (and the group's supplemental
    # dimension) but never adds the group to its project's subset_dimensions, so the group
    # cannot be named in requirements or queries there: its bug. Ours lists the group, with
    # the records the reference gave its selector dimensions.
    assert "Subsectors by Size" not in state["subsets"]
    from dsgrid_core.registry.registry import Registry

    with sqlite3.connect(sides.db) as con:
        selector_records = {
            json.loads(m)["name"]: sorted(r["id"] for r in json.loads(m)["records"])
            for (m,) in con.execute("SELECT model FROM models WHERE model_type='dimension'")
            if json.loads(m)["name"] in ("offices", "not_offices")
        }
    with Registry(sides.ours, read_only=True) as reg:
        group = reg.show("project", "test_efs").extra["subset_dimensions"]["Subsectors by Size"]
    assert {k: sorted(v) for k, v in group["selectors"].items()} == selector_records
    assert selector_records["offices"] == ["LargeOffice", "MediumOffice", "SmallOffice"]


def test_3_register_supplemental_dimensions(sides):
    theirs, ours = sides.run(
        "registry",
        "projects",
        "register-supplemental-dimensions",
        "test_efs",
        "supplemental.json5",
        "-l",
        "time zones",
        cwd=sides.inputs,
    )
    assert theirs.returncode == 0 and ours.exit_code == 0, (theirs.stderr[-2000:], ours)
    assert sides.compare_projects()["version"] == "1.1.2"


def test_4_a_bad_supplemental_mapping_is_refused_by_both(sides, snapshot):
    before = snapshot(sides.ours)
    version = sides.reference_project()["version"]
    theirs, ours = sides.run(
        "registry",
        "projects",
        "register-supplemental-dimensions",
        "test_efs",
        "bad.json5",
        "-l",
        "bad",
        cwd=sides.inputs,
    )
    assert theirs.returncode != 0 and "99999" in theirs.stdout + theirs.stderr
    assert ours.exit_code == 2 and "99999" in ours.stderr + ours.stdout
    assert snapshot(sides.ours) == before
    assert sides.reference_project()["version"] == version


def test_5_replace_requirements_of_a_submitted_dataset(sides):
    theirs, ours = sides.run(
        "registry",
        "projects",
        "replace-dataset-dimension-requirements",
        "test_efs",
        "requirements.json5",
        "-l",
        "new requirements",
        cwd=sides.inputs,
    )
    assert theirs.returncode == 0 and ours.exit_code == 0, (theirs.stderr[-2000:], ours)
    state = sides.compare_projects()  # also: the dataset is unregistered on both sides
    assert state["version"] == "2.0.0"  # major, the reference's default
    status = {d["dataset_id"]: d["status"] for d in sides.reference_project()["datasets"]}
    assert status["test_efs_comstock_unpivoted"] == "Unregistered"


def test_6_replace_requirements_of_a_dataset_not_submitted(sides):
    """The reference fails here on its own bug (it marks the dataset found only when the
    dataset was submitted, then reads a field its model lacks); we replace the requirements,
    checked against the file."""
    from dsgrid_core.registry.registry import Registry

    theirs, ours = sides.run(
        "registry",
        "projects",
        "replace-dataset-dimension-requirements",
        "test_efs",
        "requirements_unregistered.json5",
        "-l",
        "new requirements",
        cwd=sides.inputs,
    )
    assert theirs.returncode != 0
    assert "has no attribute 'dataset_type'" in theirs.stdout + theirs.stderr
    assert ours.exit_code == 0, ours
    with Registry(sides.ours, read_only=True) as reg:
        project = reg.show("project", "test_efs")
    entry = next(d for d in project.config["datasets"] if d["dataset_id"] == "test_efs_comstock")
    sector = entry["required_dimensions"]["single_dimensional"]["sector"]["base"]
    assert (sector["record_ids"] if isinstance(sector, dict) else sector) == ["com"]
    assert project.version == "3.0.0"


def test_7_register_and_submit_refused_leaves_no_dataset(sides, snapshot):
    """A submission the project refuses (no mapping for the dataset's end uses): both refuse,
    and ours keeps neither the dataset nor the dimensions registered with it."""
    folder = sides.files / "test_efs/dsgrid_project/datasets/modeled/comstock"
    config = json5.loads((folder / "dataset.json5").read_text())
    ids = sides.reference_dimension_ids()
    for ref in config["dimension_references"]:
        ref["dimension_id"] = ids[(ref["type"], ref.pop("name"))]
    (folder / "dataset_ids.json5").write_text(json.dumps(config))
    mappings = json5.loads((folder / "dimension_mappings.json5").read_text())
    mappings["mappings"] = [m for m in mappings["mappings"] if m["dimension_type"] != "metric"]
    (folder / "no_metric_mapping.json5").write_text(json.dumps(mappings))
    before = snapshot(sides.ours)
    theirs, ours = sides.run(
        "registry",
        "projects",
        "register-and-submit-dataset",
        "-c",
        "dataset_ids.json5",
        "-m",
        "no_metric_mapping.json5",
        "-p",
        "test_efs",
        "-l",
        "register and submit",
        cwd=folder,
        ours_extra=("--data-root", str(sides.files)),
    )
    assert theirs.returncode != 0
    assert ours.exit_code == 2, ours
    assert "metric" in ours.stderr + ours.stdout
    assert snapshot(sides.ours) == before


def test_8_add_dataset_requirements(sides):
    """A new dataset the project expects: both add it (patch), and a second addition of the
    same id is refused by both."""
    requirements = {
        "datasets": [
            {
                "dataset_id": "test_efs_extra",
                "dataset_type": "modeled",
                "version": "1.0.0",
                "required_dimensions": {"single_dimensional": {"sector": {"base": ["com"]}}},
            }
        ]
    }
    (sides.inputs / "new_dataset.json5").write_text(json.dumps(requirements))
    from dsgrid_core.registry.registry import Registry

    def ours_now():
        with Registry(sides.ours, read_only=True) as reg:
            project = reg.show("project", "test_efs")
        return project.version, {d["dataset_id"]: d["status"] for d in project.config["datasets"]}

    def patch(version: str) -> str:
        major, minor, fix = (int(x) for x in version.split("."))
        return f"{major}.{minor}.{fix + 1}"

    # Test 6 left the two project versions apart (the reference failed there): compare each
    # side's step from where it was.
    args = ("registry", "projects", "add-dataset-requirements", "test_efs", "new_dataset.json5")
    theirs_before, (ours_before, _) = sides.reference_project()["version"], ours_now()
    theirs, ours = sides.run(*args, "-l", "expect another dataset", cwd=sides.inputs)
    assert theirs.returncode == 0 and ours.exit_code == 0, (theirs.stderr[-2000:], ours)
    model = sides.reference_project()
    version, statuses = ours_now()
    assert model["version"] == patch(theirs_before) and version == patch(ours_before)
    assert statuses == {d["dataset_id"]: d["status"] for d in model["datasets"]}
    assert statuses["test_efs_extra"] == "Unregistered"
    theirs, ours = sides.run(*args, "-l", "again", cwd=sides.inputs)
    assert theirs.returncode != 0
    assert ours.exit_code == 2 and "already in the project" in ours.stderr + ours.stdout
    assert ours_now()[0] == version and sides.reference_project()["version"] == model["version"]
