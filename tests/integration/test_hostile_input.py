"""Hostile and random input (hypothesis): config loaders and data readers either accept it or
refuse it with a DsgridError naming the problem; they never fail another way, and a refused
registration leaves the registry as it was. Paths in configs cannot leave the allowed folders."""

from __future__ import annotations

import io
import json
import shutil
import string

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dsgrid_core.config.dataset import DatasetConfig
from dsgrid_core.config.files import loads_json5
from dsgrid_core.config.load import validate_dimension, validate_model
from dsgrid_core.config.mapping import DimensionMappingConfig
from dsgrid_core.config.project import ProjectConfig
from dsgrid_core.config.query import ProjectQueryConfig
from dsgrid_core.errors import DsgridError
from dsgrid_core.registry.registry import Registry

SLOW = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
KEYS = ["type", "name", "description", "class", "file", "records", "ranges", "time_type",
        "frequency", "dataset_id", "data_layout", "dimensions", "project_id", "mapping_type",
        "from_dimension", "to_dimension", "project", "result", "descripton", "../x"]  # fmt: skip
configs = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200))
def test_json5_text_is_a_config_or_a_clear_error(text):
    try:
        assert isinstance(loads_json5(text, "form"), dict)
    except DsgridError as exc:
        assert str(exc).startswith("form")


@settings(max_examples=300, deadline=None)
@given(data=configs)
@pytest.mark.parametrize(
    "validate",
    [
        lambda d: validate_dimension(d, "x"),
        lambda d: validate_model(DatasetConfig, d, "x"),
        lambda d: validate_model(ProjectConfig, d, "x"),
        lambda d: validate_model(DimensionMappingConfig, d, "x"),
        lambda d: validate_model(ProjectQueryConfig, d, "x"),
    ],
    ids=["dimension", "dataset", "project", "mapping", "query"],
)
def test_config_models_accept_or_name_each_problem(validate, data):
    try:
        validate(data)
    except DsgridError as exc:
        assert exc.problems, str(exc)  # every refusal says which field
        assert all(p["field"] and p["message"] for p in exc.problems)


def _dataset(folder, data_file: str, value_format="stacked") -> None:
    config = {
        "dataset_id": "hostile",
        "dataset_type": "modeled",
        "description": "random table",
        "trivial_dimensions": ["sector", "subsector", "weather_year", "model_year", "scenario"],
        "dimensions": [
            {"type": "time", "time_type": "datetime", "name": "hostile time",
             "description": "t", "ranges": [{"start": "2012-01-01 00:00:00",
                                             "end": "2012-01-01 02:00:00"}],
             "str_format": "%Y-%m-%d %H:%M:%S", "frequency": "01:00:00",
             "time_zone_format": {"format_type": "aligned_in_absolute_time", "time_zone": "UTC"}},
            {"type": "metric", "class": "MetricDimensionBaseModel", "name": "hostile metric",
             "description": "m", "records": [{"id": "heating", "name": "heating"}]},
            {"type": "geography", "class": "Geography", "name": "hostile geography",
             "description": "g", "records": [{"id": "g1", "name": "g1"}]},
            *[{"type": t, "class": c, "name": f"hostile {t}", "description": t,
               "records": [{"id": f"{t}_1", "name": f"{t}_1"}]}
              for t, c in [("sector", "Sector"), ("subsector", "Subsector"),
                           ("weather_year", "WeatherYear"), ("model_year", "ModelYear"),
                           ("scenario", "Scenario")]],
        ],
        "data_layout": {"table_format": "one_table", "value_format": value_format,
                        "data_file": {"path": data_file}},
    }  # fmt: skip
    if value_format == "pivoted":
        config["data_layout"]["pivoted_dimension_type"] = "metric"
    (folder / "dataset.json5").write_text(json.dumps(config))


cells = st.one_of(
    st.sampled_from(["2012-01-01 00:00:00", "2012-01-01 01:00:00", "g1", "heating", "1.5"]),
    st.text(string.printable, max_size=12),
    st.just(""),
    st.just("'); DROP TABLE versions; --"),
)


@SLOW
@given(
    header=st.lists(
        st.sampled_from(["timestamp", "geography", "metric", "value", "heating", "x", ""]),
        min_size=1,
        max_size=5,
    ),
    rows=st.lists(st.lists(cells, min_size=0, max_size=6), max_size=6),
    raw_tail=st.binary(max_size=40),
)
def test_random_csv_tables_register_or_are_refused_cleanly(
    header, rows, raw_tail, empty_registry, tmp_path, snapshot
):
    folder = tmp_path / "upload"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    text = ",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in rows)
    (folder / "data.csv").write_bytes(text.encode() + raw_tail)
    _dataset(folder, "data.csv")
    _register_or_refuse(empty_registry, folder, snapshot)


@SLOW
@given(
    columns=st.dictionaries(
        st.sampled_from(["timestamp", "geography", "metric", "value", "heating", "other"]),
        st.sampled_from(["text", "number", "timestamp"]),
        min_size=1,
        max_size=5,
    ),
    length=st.integers(0, 4),
    fmt=st.sampled_from(["parquet", "jsonl"]),
)
def test_random_parquet_and_json_lines_tables_register_or_are_refused_cleanly(
    columns, length, fmt, empty_registry, tmp_path, snapshot
):
    import datetime

    makers = {
        "text": lambda i: ["g1", "heating", "x' OR 1=1"][i % 3],
        "number": lambda i: float(i) * 1.5,
        "timestamp": lambda i: datetime.datetime(2012, 1, 1, i % 3, tzinfo=datetime.UTC),
    }
    table = {name: [makers[kind](i) for i in range(length)] for name, kind in columns.items()}
    folder = tmp_path / "upload"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    if fmt == "parquet":
        pq.write_table(pa.table(table) if length else pa.table({k: [] for k in table}),
                       folder / "data.parquet")  # fmt: skip
        name = "data.parquet"
    else:
        lines = io.StringIO()
        for i in range(length):
            lines.write(
                json.dumps(
                    {k: str(v) for k, v in zip(table, (c[i] for c in table.values()), strict=True)}
                )
                + "\n"
            )  # noqa: E501
        (folder / "data.jsonl").write_text(lines.getvalue())
        name = "data.jsonl"
    _dataset(folder, name)
    _register_or_refuse(empty_registry, folder, snapshot)


def _register_or_refuse(registry_path, folder, snapshot) -> None:
    before = snapshot(registry_path)
    try:
        with Registry(registry_path) as registry:
            registry.register_dataset(folder / "dataset.json5", "hostile")
    except DsgridError as exc:
        assert str(exc)
        assert snapshot(registry_path) == before
        return
    with Registry(registry_path) as registry:  # accepted: it really is whole, then clean up
        assert registry.check().ok
        registry.remove("dataset", "hostile")
        for summary in registry.list("dimension"):
            registry.remove("dimension", summary.id)


@pytest.mark.parametrize(
    "path",
    ["../../../../etc/passwd", "/etc/passwd", "..%2f..%2fetc/passwd", "file:///etc/passwd"],
)
def test_config_paths_cannot_leave_the_allowed_folders(path, empty_registry, tmp_path, snapshot):
    folder = tmp_path / "upload"
    folder.mkdir()
    _dataset(folder, path)
    before = snapshot(empty_registry)
    with Registry(empty_registry) as registry, pytest.raises(DsgridError) as caught:
        registry.register_dataset(folder / "dataset.json5", "hostile")
    assert (
        "allowed folders" in str(caught.value)
        or "not supported" in str(caught.value)
        or ("not found" in str(caught.value))
    )
    assert snapshot(empty_registry) == before
