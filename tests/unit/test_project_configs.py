"""Project and mapping configs: each accepted form and each refusal, against dsgrid-toolkit
0.4.0's own verdict on the same config (its pydantic models, run in its venv).

Every case is a small change to dsgrid's test_efs project, written to a copy of its folder
(the reference reads the record files its models name). The reference validates all cases in
one process; ours are validated here, by the model and, where the rule needs the files or the
registry (subset files, base dimension choice), by planning the registration.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess  # noqa: S404 - runs the reference's own Python on a fixed script
import warnings
from pathlib import Path

import json5
import pytest

from dsgrid_core.config.mapping import DatasetMappingsFile, MappingReference
from dsgrid_core.config.project import ProjectConfig
from dsgrid_core.errors import InputError

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_PYTHON = (
    Path(os.environ.get("DSGRID_REFERENCE_VENV") or REPO_ROOT / ".venv-reference")
    / "bin"
    / "python"
)

# Validates each case with the reference's models; prints {case: "ok" | "refused: ..."}.
REFERENCE_SCRIPT = r"""
import json, logging, os, sys
logging.disable(logging.CRITICAL)
from dsgrid.config.project_config import ProjectConfigModel
from dsgrid.config.dimension_mapping_base import DimensionMappingReferenceModel
from dsgrid.config.mapping_tables import DatasetBaseToProjectMappingTableListModel
from dsgrid.config.dimension_mapping_base import DimensionMappingBaseModel
models = {
    "registered_mapping": DimensionMappingBaseModel,
    "project": ProjectConfigModel,
    "reference": DimensionMappingReferenceModel,
    "dataset_mappings": DatasetBaseToProjectMappingTableListModel,
}
cases = json.load(open(sys.argv[1]))
os.chdir(sys.argv[2])
out = {}
for name, (kind, data) in cases.items():
    try:
        models[kind].model_validate(data)
        out[name] = "ok"
    except Exception as exc:
        out[name] = "refused: " + str(exc).replace("\n", " ")[:300]
print(json.dumps(out))
"""


def _efs_project(test_data: Path) -> dict:
    return json5.loads(
        (test_data / "test_efs" / "dsgrid_project" / "project.json5").read_text(encoding="utf-8")
    )


def _with(base: dict, change) -> dict:
    data = copy.deepcopy(base)
    change(data)
    return data


def _dim(data: dict, type_: str) -> dict:
    return next(d for d in data["dimensions"]["base_dimensions"] if d["type"] == type_)


def _ds(data: dict) -> dict:
    return data["datasets"][0]


def _add_second_metric(data: dict) -> None:
    metric = copy.deepcopy(_dim(data, "metric"))
    metric.update(name="EFS End Uses copy", file="dimensions/enduses_copy.csv")
    data["dimensions"]["base_dimensions"].append(metric)
    # each dataset then names the base metric it needs (without, dsgrid's registration refuses
    # the project: tests/integration/test_several_base_dimensions.py)
    for dataset in data["datasets"]:
        dataset["required_dimensions"].setdefault("single_dimensional", {})["metric"] = {
            "base": {"record_ids": ["__all__"], "dimension_name": "EFS End Uses copy"}
        }


def _set(path: list, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _drop(path: list):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _both(*changes):
    def change(data):
        for c in changes:
            c(data)

    return change


REF = {"from_dimension_type": "metric", "to_dimension_type": "metric", "version": "1.0.0"}
SINGLE = ["datasets", 0, "required_dimensions", "single_dimensional"]
MULTI = ["datasets", 0, "required_dimensions", "multi_dimensional"]
SUBSET = ["dimensions", "subset_dimensions", 0]
SUPP_MAPPING = ["dimensions", "supplemental_dimensions", 0, "mapping"]

# name -> (change to the test_efs project, the verdict both must give)
PROJECT_CASES = {
    "as_given": (lambda d: None, "ok"),
    "base_record_ids_object": (
        _set(SINGLE, {"geography": {"base": {"record_ids": ["06073"]}}}),
        "ok",
    ),
    "base_with_dimension_name": (
        _set(
            SINGLE,
            {
                "geography": {
                    "base": {
                        "record_ids": ["06073"],
                        "dimension_name": "US Counties 2010 - ComStock Only",
                    }
                }
            },
        ),
        "ok",
    ),
    "base_missing_list": (_set(SINGLE, {"geography": {"base_missing": ["06073"]}}), "ok"),
    "supplemental_requirement_dropped": (
        _set(
            SINGLE,
            {"geography": {"supplemental": [{"name": "US States", "record_ids": ["CA"]}]}},
        ),
        "ok",
    ),
    "base_and_base_missing": (
        _set(SINGLE, {"geography": {"base": ["06073"], "base_missing": ["06075"]}}),
        "refused",
    ),
    "multi_with_one_dimension": (
        _set(MULTI, [{"sector": {"base": ["com"]}}]),
        "refused",
    ),
    "single_and_multi_same_type": (
        _set(SINGLE, {"sector": {"base": ["com"]}}),
        "refused",
    ),
    "multi_partial_overlap": (
        lambda d: _ds(d)["required_dimensions"]["multi_dimensional"].append(
            {"sector": {"base": ["com"]}, "metric": {"base": ["com_fans"]}}
        ),
        "refused",
    ),
    "multi_same_dims_twice": (
        lambda d: _ds(d)["required_dimensions"]["multi_dimensional"].append(
            {"sector": {"base": ["com"]}, "subsector": {"base": ["LargeOffice"]}}
        ),
        "ok",
    ),
    "two_metric_base_dimensions": (_add_second_metric, "ok"),
    "two_base_dimensions_share_a_file": (
        lambda d: d["dimensions"]["base_dimensions"].append(
            {**copy.deepcopy(_dim(d, "metric")), "name": "Other metric"}
        ),
        "refused",
    ),
    "supplemental_named_like_base": (
        _set(["dimensions", "supplemental_dimensions", 0, "name"], "EFS Sectors - ComStock Only"),
        "refused",
    ),
    "selector_named_like_base": (
        _set(SUBSET + ["selectors", 0, "name"], "EFS Sectors - ComStock Only"),
        "refused",
    ),
    "no_project_description": (_drop(["description"]), "refused"),
    "no_datasets_list": (_drop(["datasets"]), "refused"),
    "no_dataset_type": (_drop(["datasets", 0, "dataset_type"]), "refused"),
    "dash_in_project_id": (_set(["project_id"], "test-efs"), "refused"),
    "status_published": (_set(["status"], "Published"), "ok"),
    "unknown_status": (_set(["status"], "Finished"), "refused"),
    "unknown_key": (_set(["colour"], "red"), "refused"),
    "missing_base_type": (
        lambda d: d["dimensions"]["base_dimensions"].remove(_dim(d, "scenario")),
        "refused",
    ),
    "no_base_dimensions": (_set(["dimensions", "base_dimensions"], []), "refused"),
    "subset_file_alias": (
        _both(
            _set(SUBSET + ["file"], "dimensions/subset/subsectors_by_sector.csv"),
            _drop(SUBSET + ["filename"]),
        ),
        "ok",
    ),
    "subset_base_dimension_name": (
        _set(SUBSET + ["base_dimension_name"], "ComStock Subsectors EFS"),
        "ok",
    ),
    "subset_no_supplemental": (_set(SUBSET + ["create_supplemental_dimension"], False), "ok"),
    "subset_without_description": (_drop(SUBSET + ["description"]), "refused"),
    "selector_without_description": (_drop(SUBSET + ["selectors", 0, "description"]), "refused"),
    "selector_column_values": (
        _both(
            _set(SUBSET + ["selectors", 0, "column_values"], {"abbr": "com"}),
            _set(SUBSET + ["selectors", 1, "column_values"], {"abbr": "res"}),
        ),
        "ok",
    ),
    "selector_column_values_differ": (
        _set(SUBSET + ["selectors", 0, "column_values"], {"abbr": "com"}),
        "refused",
    ),
    "selector_not_a_file_column": (
        _set(SUBSET + ["selectors", 1, "name"], "industrial_subsectors"),
        "refused",
    ),
    "subset_names_twice": (
        lambda d: d["dimensions"]["subset_dimensions"].append(
            copy.deepcopy(d["dimensions"]["subset_dimensions"][0])
        ),
        "refused",
    ),
    "supplemental_mapping_base_name": (
        _set(SUPP_MAPPING + ["project_base_dimension_name"], "US Counties 2010 - ComStock Only"),
        "ok",
    ),
    "supplemental_mapping_filename_key": (
        lambda d: d["dimensions"]["supplemental_dimensions"][0]["mapping"].update(
            filename=d["dimensions"]["supplemental_dimensions"][0]["mapping"].pop("file")
        ),
        "ok",
    ),
    "supplemental_mapping_archetype_matches": (
        _set(SUPP_MAPPING + ["archetype"], "many_to_one_map_fraction_sum_from_id_eq1"),
        "ok",
    ),
    "supplemental_mapping_archetype_differs": (
        _set(SUPP_MAPPING + ["archetype"], "one_to_one_map"),
        "refused",
    ),
    "supplemental_mapping_tolerances": (
        _both(
            _set(SUPP_MAPPING + ["from_fraction_tolerance"], 0.01),
            _set(SUPP_MAPPING + ["to_fraction_tolerance"], 0.01),
        ),
        "ok",
    ),
    "dataset_to_project_by_mapping_id": (
        _set(
            ["dimension_mappings"],
            {"dataset_to_project": {"test_efs_comstock": [{**REF, "mapping_id": "m1"}]}},
        ),
        "ok",
    ),
    "dataset_mapping_references": (
        _set(["datasets", 0, "mapping_references"], [{**REF, "mapping_id": "m1"}]),
        "ok",
    ),
    "dataset_base_dimension_names": (
        _set(["datasets", 0, "base_dimension_names"], {"metric": "EFS Detailed End Uses"}),
        "ok",
    ),
    "dataset_base_dimension_names_unknown_type": (
        _set(["datasets", 0, "base_dimension_names"], {"colour": "red"}),
        "refused",
    ),
    "daylight_saving_half_given": (
        _set(
            ["datasets", 0, "time_based_data_adjustment"],
            {"daylight_saving_adjustment": {"spring_forward_hour": "drop"}},
        ),
        "refused",
    ),
}

REFERENCE_CASES = {
    "by_mapping_id": ({**REF, "mapping_id": "m1"}, "ok"),
    "legacy_required_for_validation": (
        {**REF, "mapping_id": "m1", "required_for_validation": False},
        "ok",
    ),
    "no_version": (
        {k: v for k, v in REF.items() if k != "version"} | {"mapping_id": "m"},
        "refused",
    ),
    "no_mapping_id_nor_names": (REF, "refused"),
}

DATASET_MAPPING_CASES = {
    "with_project_base_dimension_name": (
        {
            "mappings": [
                {
                    "dimension_type": "metric",
                    "file": "dimension_mappings/m.csv",
                    "project_base_dimension_name": "EFS Detailed End Uses - ComStock Only",
                    "mapping_type": "many_to_many_explicit_multipliers",
                }
            ]
        },
        "ok",
    ),
    "archetype_differs": (
        {
            "mappings": [
                {
                    "dimension_type": "metric",
                    "file": "dimension_mappings/m.csv",
                    "mapping_type": "duplication",
                    "archetype": "many_to_many_map",
                }
            ]
        },
        "refused",
    ),
    "description_null": (
        {
            "mappings": [
                {
                    "dimension_type": "metric",
                    "file": "dimension_mappings/m.csv",
                    "description": None,
                }
            ]
        },
        "ok",
    ),
}


@pytest.fixture(scope="module")
def project_dir(tmp_path_factory, test_data) -> Path:
    target = tmp_path_factory.mktemp("efs") / "dsgrid_project"
    shutil.copytree(test_data / "test_efs" / "dsgrid_project", target)
    shutil.copy(target / "dimensions" / "enduses.csv", target / "dimensions" / "enduses_copy.csv")
    return target


@pytest.fixture(scope="module")
def reference_verdicts(project_dir, test_data, tmp_path_factory) -> dict[str, str]:
    if not REFERENCE_PYTHON.exists():
        pytest.skip(f"reference venv (dsgrid-toolkit 0.4.0) not found at {REFERENCE_PYTHON}")
    base = _efs_project(test_data)
    cases = {f"project:{k}": ("project", _with(base, c)) for k, (c, _) in PROJECT_CASES.items()}
    cases |= {f"reference:{k}": ("reference", d) for k, (d, _) in REFERENCE_CASES.items()}
    cases |= {
        f"dataset_mappings:{k}": ("dataset_mappings", d)
        for k, (d, _) in DATASET_MAPPING_CASES.items()
    }
    dim = {"dimension_id": "a", "type": "metric", "version": "1.0.0"}
    cases["registered_mapping:archetype_differs"] = (
        "registered_mapping",
        {
            "from_dimension": dim,
            "to_dimension": dim,
            "mapping_type": "many_to_one_aggregation",
            "archetype": "one_to_one_map",
        },
    )
    work = tmp_path_factory.mktemp("reference")
    (work / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    (work / "run.py").write_text(REFERENCE_SCRIPT, encoding="utf-8")
    done = subprocess.run(  # noqa: S603 - fixed interpreter and script
        [str(REFERENCE_PYTHON), str(work / "run.py"), str(work / "cases.json"), str(project_dir)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=work,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _our_project_verdict(data: dict, project_dir: Path, tmp_path: Path) -> str:
    """Ours: the model, then the registration plan (which reads subset files and chooses base
    dimensions) in an empty registry."""
    from dsgrid_core.config.source import ConfigSource
    from dsgrid_core.registry.register_project import plan_project
    from dsgrid_core.registry.registry import Registry

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ProjectConfig.model_validate(data)
        except ValueError as exc:
            return f"refused: {exc}"
        config_file = project_dir / f"case_{tmp_path.name}.json5"
        config_file.write_text(json.dumps(data), encoding="utf-8")
        try:
            plan_project(
                Registry.create(tmp_path / "registry"), ConfigSource.from_file(config_file)
            )
        except InputError as exc:
            return f"refused: {exc}"
        finally:
            config_file.unlink()
    return "ok"


def _verdict(text: str) -> str:
    return "ok" if text == "ok" else "refused"


# The reference checks a mapping's archetype only when it turns the mapping into a registered
# one (DimensionMappingBaseModel), so its project and submission models pass these and its
# registration refuses them; we refuse them when the file is read.
REFUSED_AT_REFERENCE_REGISTRATION = {
    "project:supplemental_mapping_archetype_differs": "registered_mapping:archetype_differs",
    "dataset_mappings:archetype_differs": "registered_mapping:archetype_differs",
}


def _reference_final(verdicts: dict[str, str], key: str) -> str:
    if key in REFUSED_AT_REFERENCE_REGISTRATION:
        assert verdicts[key] == "ok", verdicts[key]
        return verdicts[REFUSED_AT_REFERENCE_REGISTRATION[key]]
    return verdicts[key]


@pytest.mark.parametrize("case", sorted(PROJECT_CASES))
def test_project_case_matches_reference(case, project_dir, reference_verdicts, test_data, tmp_path):
    change, expected = PROJECT_CASES[case]
    data = _with(_efs_project(test_data), change)
    ours = _our_project_verdict(data, project_dir, tmp_path)
    theirs = _reference_final(reference_verdicts, f"project:{case}")
    assert _verdict(theirs) == expected, theirs
    assert _verdict(ours) == expected, ours


@pytest.mark.parametrize("case", sorted(REFERENCE_CASES))
def test_mapping_reference_matches_reference(case, reference_verdicts):
    data, expected = REFERENCE_CASES[case]
    theirs = reference_verdicts[f"reference:{case}"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            MappingReference.model_validate(data)
            ours = "ok"
        except ValueError as exc:
            ours = f"refused: {exc}"
    # The reference has no mapping_names form, so "neither given" passes its model (its
    # mapping_id is required); both refuse a reference that names no mapping.
    assert _verdict(theirs) == expected, theirs
    assert _verdict(ours) == expected, ours


@pytest.mark.parametrize("case", sorted(DATASET_MAPPING_CASES))
def test_dataset_mappings_match_reference(case, reference_verdicts):
    data, expected = DATASET_MAPPING_CASES[case]
    theirs = _reference_final(reference_verdicts, f"dataset_mappings:{case}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            DatasetMappingsFile.model_validate(data)
            ours = "ok"
        except ValueError as exc:
            ours = f"refused: {exc}"
    assert _verdict(theirs) == expected, theirs
    assert _verdict(ours) == expected, ours


def test_supplemental_requirement_is_ignored_with_a_notice():
    """dsgrid 0.4 drops supplemental requirements (so the type then needs every base
    record); we do the same and say so."""
    from dsgrid_core.config.base import LegacyKeyWarning
    from dsgrid_core.config.project import RequiredDimensions

    with pytest.warns(LegacyKeyWarning, match="supplemental"):
        req = RequiredDimensions.model_validate(
            {"single_dimensional": {"geography": {"supplemental": [{"name": "s"}]}}}
        )
    assert not req.single_dimensional[next(iter(req.single_dimensional))].defines_requirement()


def test_mapping_archetypes_equal_the_reference():
    """Each mapping type's duplicate and sum rules are the reference's archetype for it."""
    if not REFERENCE_PYTHON.exists():
        pytest.skip(f"reference venv not found at {REFERENCE_PYTHON}")
    from dsgrid_core.config.mapping import MAPPING_RULES

    script = (
        "import json\n"
        "from dsgrid.config.dimension_mapping_base import DimensionMappingBaseModel as M\n"
        "from dsgrid.config.dimension_mapping_base import DimensionMappingType as T\n"
        "ref = {'dimension_id': 'a', 'type': 'metric', 'version': '1.0.0'}\n"
        "out = {}\n"
        "for t in T:\n"
        "    a = M(mapping_type=t, from_dimension=ref, to_dimension=ref).archetype\n"
        "    out[t.value] = [a.value, a.allow_dup_from_records, a.allow_dup_to_records,\n"
        "                    a.check_fraction_sum_eq1_from_id, a.check_fraction_sum_eq1_to_id]\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run(  # noqa: S603 - fixed interpreter and script
        [str(REFERENCE_PYTHON), "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    ours = {
        t.value: [
            r.archetype,
            not r.unique_from,
            not r.unique_to,
            r.sum_by == "from_id",
            r.sum_by == "to_id",
        ]
        for t, r in MAPPING_RULES.items()
    }
    assert ours == theirs
    assert all(not r.fractions_required for r in MAPPING_RULES.values())


STANDARD_SCENARIOS = REPO_ROOT.parent / "shared" / "dsgrid-projects" / "StandardScenarios"


def test_standard_scenarios_project_registers_with_its_subsets(tmp_path):
    """StandardScenarios' project registers; each subset selector selects the cells that are
    not empty in its CSV column (pandas reads them as dsgrid does), and the six "all"
    dimensions are made."""
    import pandas as pd

    from dsgrid_core.config.source import ConfigSource
    from dsgrid_core.registry.register_project import register_project
    from dsgrid_core.registry.registry import Registry

    config_file = STANDARD_SCENARIOS / "dsgrid_project" / "project.json5"
    if not config_file.exists():
        pytest.skip(f"StandardScenarios not found at {STANDARD_SCENARIOS}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        registry = Registry.create(tmp_path / "registry")
        plan = register_project(registry, ConfigSource.from_file(config_file), "t")
    for group in plan.config.dimensions.subset_dimensions:
        frame = pd.read_csv(config_file.parent / group.filename, dtype=str, index_col="id")
        expected = {c: sorted(frame[c].dropna().index) for c in frame.columns}
        got = {s: sorted(ids) for s, ids in plan.subsets[group.name]["selectors"].items()}
        assert got == expected, group.name
    names = {s["name"] for s in plan.supplemental}
    plurals = ["geographies", "sectors", "subsectors", "weather_years", "model_years", "scenarios"]
    assert {f"all_dsgrid_conus_2022_{p}" for p in plurals} <= names
    made = [
        g.name for g in plan.config.dimensions.subset_dimensions if g.create_supplemental_dimension
    ]
    assert set(made) <= names


def test_subset_cells_select_as_the_reference_reads_them(tmp_path):
    """Which cells of a subset file select a record: the reference reads the file with pandas
    (missing-value spellings are empty; "0" or "no" still select)."""
    from types import SimpleNamespace

    from dsgrid_core.config.files import PathResolver
    from dsgrid_core.config.project import SubsetDimensionConfig
    from dsgrid_core.registry.components import PreparedDimension
    from dsgrid_core.registry.project_generated import plan_subset

    if not REFERENCE_PYTHON.exists():
        pytest.skip(f"reference venv not found at {REFERENCE_PYTHON}")
    cells = ["x", "0", "no", "NA", "", "null", "n/a", "None", "yes", "nan"]
    ids = [f"r{i}" for i in range(len(cells))]
    csv = tmp_path / "subset.csv"
    csv.write_text("id,pick\n" + "".join(f"{i},{c}\n" for i, c in zip(ids, cells, strict=True)))
    done = subprocess.run(  # noqa: S603 - fixed interpreter and script
        [
            str(REFERENCE_PYTHON),
            "-c",
            "import json, sys\n"
            "from dsgrid.config.project_config import load_subset_dimensions\n"
            "_, by = load_subset_dimensions(sys.argv[1])\n"
            "print(json.dumps(sorted(by['pick'])))\n",
            str(csv),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])

    base = PreparedDimension(
        type="subsector",
        name="B",
        description="",
        config={},
        records=[{"id": i, "name": i} for i in ids],
        hash="",
        id="b",
    )
    plan = SimpleNamespace(
        bases=[{"type": "subsector", "id": "b", "version": "1.0.0", "name": "B"}], subsets={}
    )
    group = SubsetDimensionConfig(
        name="G",
        description="",
        type="subsector",
        filename="subset.csv",
        selectors=[{"name": "pick", "description": ""}],
    )
    plan_subset(plan, None, {"b": base}, PathResolver(tmp_path), tmp_path / "p.json5", 0, group)
    assert sorted(plan.subsets["G"]["selectors"]["pick"]) == theirs
    assert theirs == ["r0", "r1", "r2", "r8"]
