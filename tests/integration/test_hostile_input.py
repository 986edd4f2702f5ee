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
             "description": "t", "time_interval_type": "period_beginning",
             "ranges": [{"start": "2012-01-01 00:00:00", "end": "2012-01-01 02:00:00",
                         "str_format": "%Y-%m-%d %H:%M:%S", "frequency": "01:00:00"}],
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


# --- Issue 13: non-finite values, NUL bytes, deep nesting, special files (through the CLI) ---


def _cli_refuses(dsgrid, registry_path, snapshot, args, *expect) -> str:
    """Exit 2, no traceback, every ``expect`` text in stderr, the registry byte for byte."""
    before = snapshot(registry_path)
    result = dsgrid(*args, registry=registry_path)
    assert result.exit_code == 2, result
    assert "Traceback" not in result.stderr, result
    for text in expect:
        assert text in result.stderr, f"{text!r} not in {result.stderr}"
    assert snapshot(registry_path) == before
    return result.stderr


def _fresh(tmp_path, name="upload"):
    folder = tmp_path / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    return folder


TIMES = ["2012-01-01 00:00:00", "2012-01-01 01:00:00", "2012-01-01 02:00:00"]
NON_FINITE = {
    "csv": ["NaN", "nan", "inf", "-inf", "Infinity", "-Infinity", "1e400", "-1e400", "1E999"],
    "jsonl": ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"],
    "parquet": [float("nan"), float("inf"), float("-inf")],
}


@SLOW
@given(
    fmt_token=st.sampled_from(sorted(NON_FINITE)).flatmap(
        lambda f: st.tuples(st.just(f), st.sampled_from(NON_FINITE[f]))
    ),
    row=st.integers(0, 2),
    pivoted=st.booleans(),
)
def test_non_finite_values_are_refused_naming_file_and_column(
    fmt_token, row, pivoted, dsgrid, empty_registry, tmp_path, snapshot
):
    fmt, token = fmt_token
    folder = _fresh(tmp_path)
    column = "heating" if pivoted else "value"
    rows = [
        {"timestamp": t, "geography": "g1", **({} if pivoted else {"metric": "heating"}),
         column: 1.5 + i}
        for i, t in enumerate(TIMES)
    ]  # fmt: skip
    if fmt == "parquet":
        rows[row][column] = token
        pq.write_table(pa.table({k: [r[k] for r in rows] for k in rows[0]}), folder / "d.parquet")
    elif fmt == "csv":
        lines = [",".join(rows[0])] + [",".join(str(v) for v in r.values()) for r in rows]
        lines[row + 1] = lines[row + 1].rsplit(",", 1)[0] + "," + token
        (folder / "d.csv").write_text("\n".join(lines) + "\n")
    else:
        lines = [json.dumps(r) for r in rows]
        lines[row] = lines[row].rsplit(":", 1)[0] + f": {token}}}"
        (folder / "d.jsonl").write_text("\n".join(lines) + "\n")
    name = f"d.{fmt}"
    _dataset(folder, name, "pivoted" if pivoted else "stacked")
    _cli_refuses(
        dsgrid,
        empty_registry,
        snapshot,
        ("registry", "datasets", "register", folder / "dataset.json5", "-l", "x"),
        str(folder / name),
        "not finite",
        f"column '{column}'",
        f"timestamp={TIMES[row]} UTC",
    )


@SLOW
@given(
    column=st.sampled_from(["id", "name"]),
    row=st.integers(0, 3),
    at=st.integers(0, 3),
    tail=st.text(string.ascii_letters, max_size=3),
)
def test_nul_in_record_names_is_refused_naming_file_row_and_column(
    column, row, at, tail, dsgrid, empty_registry, tmp_path, snapshot
):
    folder = _fresh(tmp_path)
    records = [{"id": f"rec{i}", "name": f"Record {i}"} for i in range(4)]
    text = records[row][column]
    records[row][column] = text[:at] + "\x00" + tail + text[at:]
    path = folder / "records.csv"
    path.write_text("id,name\n" + "".join(f"{r['id']},{r['name']}\n" for r in records))
    (folder / "dimension.json5").write_text(
        '{type: "geography", name: "Places", class: "Geography", file: "records.csv"}'
    )
    _cli_refuses(
        dsgrid,
        empty_registry,
        snapshot,
        ("registry", "dimensions", "register", folder / "dimension.json5", "-l", "x"),
        f"{path}, line {row + 2}, column '{column}'",
        "NUL",
    )


@SLOW
@given(
    field=st.sampled_from(["display_name", "description", "name", "class"]),
    text=st.text(max_size=6),
    at=st.integers(0, 6),
    in_record=st.booleans(),
)
def test_nul_in_config_strings_is_refused_naming_file_and_field(
    field, text, at, in_record, dsgrid, empty_registry, tmp_path, snapshot
):
    folder = _fresh(tmp_path)
    config = {"type": "geography", "name": "Places", "class": "Geography",
              "records": [{"id": "a", "name": "A"}]}  # fmt: skip
    bad = text[:at] + "\x00" + text[at:]
    if in_record:
        config["records"][0]["name"] = bad
        field = "records[0].name"
    else:
        config[field] = bad
    path = folder / "dimension.json5"
    path.write_text(json.dumps(config))  # the NUL written as \u0000
    _cli_refuses(
        dsgrid,
        empty_registry,
        snapshot,
        ("registry", "dimensions", "register", path, "-l", "x"),
        str(path),
        field,
        "NUL",
    )


CONFIG_COMMANDS = [
    ("registry", "dimensions", "register"),
    ("registry", "dimension-mappings", "register"),
    ("registry", "projects", "register"),
    ("registry", "datasets", "register"),
    ("registry", "bulk-register"),
    ("query", "validate"),
]


def _command_args(command, path):
    extra = () if command[0] == "query" or command[-1] == "bulk-register" else ("-l", "x")
    return (*command, path, *extra)


@SLOW
@given(
    depth=st.sampled_from([65, 999, 1000, 1001, 5000]) | st.integers(65, 3000),
    shape=st.sampled_from(["array", "object", "mixed"]),
    command=st.sampled_from(CONFIG_COMMANDS),
)
def test_deep_nesting_is_refused_naming_the_file(
    depth, shape, command, dsgrid, empty_registry, tmp_path, snapshot
):
    opening = {"array": ["["], "object": ["{a: "], "mixed": ["[", "{a: "]}[shape]
    opens = [opening[i % len(opening)] for i in range(depth)]
    closes = ["]" if o == "[" else "}" for o in reversed(opens)]
    path = _fresh(tmp_path) / "config.json5"
    path.write_text('{name: "deep", description: ' + "".join(opens) + "1" + "".join(closes) + "}")
    _cli_refuses(
        dsgrid, empty_registry, snapshot, _command_args(command, path), str(path), "nested"
    )


SPECIAL_KINDS = ["directory", "fifo", "symlink loop", "nul", "long"]


def _writer_unblocks(fifo) -> None:
    """If the code under test opens ``fifo`` (the defect), a writer comes after 3 s and closes
    at once, so the open returns and the test fails instead of hanging (hypothesis would catch
    a timeout and retry, waiting forever)."""
    import os
    import threading
    import time

    def write() -> None:
        time.sleep(3)
        for _ in range(200):
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                return
            except OSError:  # no reader yet (ENXIO), or the folder is gone
                time.sleep(0.05)

    threading.Thread(target=write, daemon=True).start()


def _special(kind, folder):
    """A path of ``kind`` in ``folder`` and the words the refusal must use."""
    import os

    if kind == "directory":
        (folder / "sub").mkdir()
        return folder / "sub", "directory"
    if kind == "fifo":
        os.mkfifo(folder / "pipe")
        _writer_unblocks(folder / "pipe")
        return folder / "pipe", "FIFO"
    if kind == "symlink loop":
        (folder / "la").symlink_to(folder / "lb")
        (folder / "lb").symlink_to(folder / "la")
        return folder / "la", "symbolic links"
    if kind == "nul":
        return str(folder / "a\x00b.json5"), "NUL"
    return str(folder / ("y" * 4096)), "longer than the system allows"


@pytest.mark.timeout(120)  # a FIFO opened for reading would wait forever for a writer
@SLOW
@given(
    kind=st.sampled_from(SPECIAL_KINDS),
    role=st.sampled_from(["config", "records file", "data file"]),
    command=st.sampled_from(CONFIG_COMMANDS),
)
def test_special_files_as_config_records_or_data_paths_are_refused(
    kind, role, command, dsgrid, empty_registry, tmp_path, snapshot
):
    folder = _fresh(tmp_path)
    path, says = _special(kind, folder)
    if role == "config":
        shown = str(path)[:40].replace("\x00", "\\x00")
        args = _command_args(command, path)
    elif role == "records file":
        config = folder / "dimension.json5"
        config.write_text(
            json.dumps({"type": "geography", "name": "P", "class": "Geography", "file": str(path)})
        )
        args, shown = ("registry", "dimensions", "register", config, "-l", "x"), str(config)
    else:
        _dataset(folder, str(path))
        args = ("registry", "datasets", "register", folder / "dataset.json5", "-l", "x")
        shown = str(folder / "dataset.json5")
    if kind == "nul" and role != "config":
        says = "NUL"  # refused as config text, before it could become a path
    if kind == "directory" and role == "data file":
        # a folder is a valid data path (of Parquet files); this one holds none
        says, shown = "No files found", str(path)
    _cli_refuses(dsgrid, empty_registry, snapshot, args, shown, says)
