"""Bad data and bad paths (issue 13): non-finite load values, declared data-file columns the
file contradicts, NUL bytes in record names and config text, numbers over 4,300 digits, nesting
1,000 deep, and special files (directory, FIFO, symlink loop, NUL in a path, a 4,096-character
path). Each is refused through the real CLI with exit 2, a message naming the file (and the
field, row or column), no traceback, and the registry exactly as before."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

TIMES = ["2012-01-01 00:00:00", "2012-01-01 01:00:00", "2012-01-01 02:00:00"]
TRIVIAL = [("sector", "Sector"), ("subsector", "Subsector"), ("weather_year", "WeatherYear"),
           ("model_year", "ModelYear"), ("scenario", "Scenario")]  # fmt: skip


@pytest.fixture(autouse=True)
def _no_extra_data_roots(monkeypatch):
    monkeypatch.delenv("DSGRID_DATA_ROOTS", raising=False)


def small_dataset(folder: Path, data_file: str, *, pivoted=False, layout_extra=None) -> Path:
    """A dataset with 3 hours, one county g1, metric heating (and cooling) and trivial rest."""
    config = {
        "dataset_id": "small",
        "dataset_type": "modeled",
        "description": "small table",
        "trivial_dimensions": [t for t, _ in TRIVIAL],
        "dimensions": [
            {"type": "time", "time_type": "datetime", "name": "small time",
             "description": "t", "time_interval_type": "period_beginning",
             "ranges": [{"start": TIMES[0], "end": TIMES[-1],
                         "str_format": "%Y-%m-%d %H:%M:%S", "frequency": "01:00:00"}],
             "time_zone_format": {"format_type": "aligned_in_absolute_time", "time_zone": "UTC"}},
            {"type": "metric", "class": "MetricDimensionBaseModel", "name": "small metric",
             "description": "m", "records": [{"id": "heating", "name": "heating"},
                                             {"id": "cooling", "name": "cooling"}]},
            {"type": "geography", "class": "Geography", "name": "small geography",
             "description": "g", "records": [{"id": "g1", "name": "g1"}]},
            *[{"type": t, "class": c, "name": f"small {t}", "description": t,
               "records": [{"id": f"{t}_1", "name": f"{t}_1"}]} for t, c in TRIVIAL],
        ],
        "data_layout": {"table_format": "one_table",
                        "value_format": "pivoted" if pivoted else "stacked",
                        "data_file": {"path": data_file, **(layout_extra or {})}},
    }  # fmt: skip
    if pivoted:
        config["data_layout"]["pivoted_dimension_type"] = "metric"
    path = folder / "dataset.json5"
    path.write_text(json.dumps(config))
    return path


def stacked_rows(bad=None):
    """Rows of a complete stacked table; ``bad`` replaces the value of the 5th row."""
    rows = [
        {"timestamp": t, "geography": "g1", "metric": m, "value": 1.5 + i}
        for i, (t, m) in enumerate((t, m) for t in TIMES for m in ("heating", "cooling"))
    ]
    if bad is not None:
        rows[4]["value"] = bad
    return rows


def write_table(folder: Path, fmt: str, rows: list[dict], raw_values: dict | None = None) -> str:
    """Write ``rows`` as data.<fmt>; ``raw_values`` (row index -> text) overrides the value
    column's text in CSV and JSON lines (NaN and 1e400 as written by people and tools)."""
    raw_values = raw_values or {}
    columns = list(rows[0])
    value_col = columns[-1]
    if fmt == "parquet":
        pq.write_table(
            pa.table({c: [r[c] for r in rows] for c in columns}), folder / "data.parquet"
        )
        return "data.parquet"
    lines = []
    if fmt == "csv":
        lines.append(",".join(columns))
        for i, r in enumerate(rows):
            values = [str(r[c]) for c in columns]
            values[-1] = raw_values.get(i, values[-1])
            lines.append(",".join(values))
        (folder / "data.csv").write_text("\n".join(lines) + "\n")
        return "data.csv"
    for i, r in enumerate(rows):
        text = json.dumps(r)
        if i in raw_values:
            text = text.replace(
                f'"{value_col}": {json.dumps(r[value_col])}', f'"{value_col}": {raw_values[i]}'
            )
        lines.append(text)
    (folder / "data.jsonl").write_text("\n".join(lines) + "\n")
    return "data.jsonl"


def pivoted_rows():
    return [
        {"timestamp": t, "geography": "g1", "cooling": 2.0 + i, "heating": 1.0 + i}
        for i, t in enumerate(TIMES)
    ]


def register_dataset(dsgrid, registry, config):
    return dsgrid("registry", "datasets", "register", config, "-l", "x", registry=registry)


# --- 7. non-finite load values -----------------------------------------------------------------


def test_finite_small_dataset_registers(dsgrid, empty_registry, tmp_path):
    """The control: the tables below differ from a valid dataset only in the bad value."""
    for fmt in ("csv", "parquet", "jsonl"):
        folder = tmp_path / fmt
        folder.mkdir()
        name = write_table(folder, fmt, stacked_rows())
        reg = tmp_path / f"reg_{fmt}"
        assert dsgrid("registry", "create", reg).exit_code == 0
        result = register_dataset(dsgrid, reg, small_dataset(folder, name))
        assert result.exit_code == 0, result
    folder = tmp_path / "pivoted"
    folder.mkdir()
    name = write_table(folder, "csv", pivoted_rows())
    result = register_dataset(dsgrid, empty_registry, small_dataset(folder, name, pivoted=True))
    assert result.exit_code == 0, result


@pytest.mark.parametrize(
    ("fmt", "raw", "value"),
    [
        ("csv", "NaN", None),
        ("csv", "inf", None),
        ("csv", "-inf", None),
        ("csv", "1e400", None),
        ("jsonl", "NaN", None),
        ("jsonl", "Infinity", None),
        ("jsonl", "-Infinity", None),
        ("jsonl", "1e400", None),
        ("parquet", None, float("nan")),
        ("parquet", None, float("inf")),
        ("parquet", None, float("-inf")),
    ],
)
def test_non_finite_values_are_refused(fmt, raw, value, empty_registry, tmp_path, refused):
    folder = tmp_path / "upload"
    folder.mkdir()
    rows = stacked_rows(bad=value) if value is not None else stacked_rows()
    name = write_table(folder, fmt, rows, {4: raw} if raw else None)
    stderr = refused(
        empty_registry,
        "registry",
        "datasets",
        "register",
        small_dataset(folder, name),
        "-l",
        "x",
        expect=(str(folder / name), "not finite", "column 'value'", "metric=heating"),
    )
    assert "timestamp=2012-01-01 02:00:00 UTC" in stderr


@pytest.mark.parametrize("raw", ["nan", "1e400", "-Infinity"])
def test_non_finite_values_in_a_pivoted_table_name_the_column(
    raw, empty_registry, tmp_path, refused
):
    folder = tmp_path / "upload"
    folder.mkdir()
    name = write_table(folder, "csv", pivoted_rows(), {1: raw})
    refused(
        empty_registry,
        "registry",
        "datasets",
        "register",
        small_dataset(folder, name, pivoted=True),
        "-l",
        "x",
        expect=(str(folder / name), "not finite", "column 'heating'", "2012-01-01 01:00:00"),
    )


# --- 7. declared data_file.columns ---------------------------------------------------------------


def test_declared_column_missing_from_the_file_is_refused(empty_registry, tmp_path, refused):
    folder = tmp_path / "upload"
    folder.mkdir()
    name = write_table(folder, "csv", stacked_rows())
    columns = [{"name": "value", "data_type": "double"}, {"name": "county", "data_type": "string"}]
    refused(
        empty_registry,
        "registry",
        "datasets",
        "register",
        small_dataset(folder, name, layout_extra={"columns": columns}),
        "-l",
        "x",
        expect=(str(folder / name), "'county'", "string", "no such column", "timestamp"),
    )


@pytest.mark.parametrize(
    ("column", "data_type", "found"),
    [("value", "int", "'1.5'"), ("geography", "double", "'g1'"), ("timestamp", "int", "")],
)
def test_declared_type_the_file_contradicts_is_refused(
    column, data_type, found, empty_registry, tmp_path, refused
):
    folder = tmp_path / "upload"
    folder.mkdir()
    fmt = "parquet" if column == "timestamp" else "csv"
    rows = stacked_rows()
    if fmt == "parquet":
        import datetime

        for r in rows:
            r["timestamp"] = datetime.datetime.fromisoformat(r["timestamp"] + "+00:00")
    name = write_table(folder, fmt, rows)
    refused(
        empty_registry,
        "registry",
        "datasets",
        "register",
        small_dataset(
            folder, name, layout_extra={"columns": [{"name": column, "data_type": data_type}]}
        ),
        "-l",
        "x",
        expect=(str(folder / name), f"column '{column}' is declared as {data_type}", found),
    )


def test_consistent_declarations_are_applied(dsgrid, empty_registry, tmp_path):
    """A county column declared as the geography dimension, a notes column ignored, values
    declared int: registered, with the declared types and names."""
    folder = tmp_path / "upload"
    folder.mkdir()
    rows = [
        {"timestamp": r["timestamp"], "county": "g1", "metric": r["metric"], "notes": "n",
         "value": str(int(r["value"] * 2))}
        for r in stacked_rows()
    ]  # fmt: skip
    name = write_table(folder, "csv", rows)
    extra = {
        "columns": [
            {"name": "county", "data_type": "string", "dimension_type": "geography"},
            {"name": "value", "data_type": "int"},
        ],
        "ignore_columns": ["notes"],
    }
    result = register_dataset(
        dsgrid, empty_registry, small_dataset(folder, name, layout_extra=extra)
    )
    assert result.exit_code == 0, result
    import duckdb

    table = next((empty_registry / "data").rglob("table.parquet"))
    got = duckdb.sql(f"SELECT DISTINCT geography FROM read_parquet('{table}')").fetchall()
    assert got == [("g1",)]


# --- 7. NUL bytes in record names and config text -----------------------------------------------


@pytest.mark.parametrize(("column", "line"), [("id", 3), ("name", 2)])
def test_nul_in_a_records_file_is_refused(column, line, empty_registry, tmp_path, refused):
    rows = {"id": ["a", "b"], "name": ["A", "B"]}
    rows[column][line - 2] = rows[column][line - 2] + "\x00x"
    records = tmp_path / "records.csv"
    records.write_text(
        "id,name\n" + "".join(f"{i},{n}\n" for i, n in zip(*rows.values(), strict=True))
    )
    config = tmp_path / "dimension.json5"
    config.write_text(
        '{type: "geography", name: "Places", class: "Geography", file: "records.csv"}'
    )
    refused(
        empty_registry,
        "registry",
        "dimensions",
        "register",
        config,
        "-l",
        "x",
        expect=(f"{records}, line {line}, column '{column}'", "NUL"),
    )


def test_nul_in_a_config_string_is_refused(empty_registry, tmp_path, refused):
    config = tmp_path / "dimension.json5"
    config.write_text(
        '{type: "geography", name: "Places", class: "Geography", display_name: "Pla\\u0000ces",'
        ' records: [{id: "a", name: "A"}]}'
    )
    refused(
        empty_registry,
        "registry",
        "dimensions",
        "register",
        config,
        "-l",
        "x",
        expect=(str(config), "display_name", "NUL"),
    )


# --- 9e. numbers over 4,300 digits ---------------------------------------------------------------


def test_a_number_over_4300_digits_is_refused_with_our_message(empty_registry, tmp_path, refused):
    config = tmp_path / "dimension.json5"
    config.write_text(
        '{type: "geography", name: "Places", class: "Geography", records: [{id: "a", '
        f'name: "A", population: {"9" * 5000}}}]}}'
    )
    stderr = refused(
        empty_registry,
        "registry",
        "dimensions",
        "register",
        config,
        "-l",
        "x",
        expect=(str(config), "records[0].population", "5,000 digits", "not meaningful"),
    )
    assert "set_int_max_str_digits" not in stderr


# --- 8d. deep nesting and special files, for every command that reads a config -------------------

COMMANDS = [
    ("registry", "dimensions", "register"),
    ("registry", "dimension-mappings", "register"),
    ("registry", "projects", "register"),
    ("registry", "datasets", "register"),
    ("registry", "bulk-register"),
    ("query", "validate"),
    ("query", "run"),
]


def _args(command, path, tmp_path):
    if command[0] == "query":
        extra = ("-o", str(tmp_path / "out")) if command[-1] == "run" else ()
        return (*command, path, *extra)
    return (*command, path, *(() if command[-1] == "bulk-register" else ("-l", "x")))


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[1:]))
@pytest.mark.parametrize("shape", ["array", "object"])
def test_deep_nesting_is_refused(command, shape, empty_registry, tmp_path, refused):
    depth = 1000
    inner = "[" * depth + "]" * depth if shape == "array" else "{a:" * depth + "1" + "}" * depth
    config = tmp_path / "config.json5"
    config.write_text(f'{{name: "deep", description: {inner}}}')
    refused(empty_registry, *_args(command, config, tmp_path), expect=(str(config), "nested"))


def special_path(kind: str, tmp_path: Path) -> tuple[Path | str, str]:
    """A path of the given kind and the text the refusal must show."""
    if kind == "directory":
        folder = tmp_path / "a_folder"
        folder.mkdir()
        return folder, "is a directory"
    if kind == "fifo":
        fifo = tmp_path / "a_fifo.json5"
        os.mkfifo(fifo)
        return fifo, "FIFO"
    if kind == "symlink loop":
        (tmp_path / "loop_a").symlink_to(tmp_path / "loop_b")
        (tmp_path / "loop_b").symlink_to(tmp_path / "loop_a")
        return tmp_path / "loop_a", "loop of symbolic links"
    if kind == "NUL in path":
        return str(tmp_path / "con\x00fig.json5"), "NUL"
    return str(tmp_path / ("x" * 4096)), "longer than the system allows"


SPECIAL = ["directory", "fifo", "symlink loop", "NUL in path", "long path"]


@pytest.mark.timeout(30)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[1:]))
@pytest.mark.parametrize("kind", SPECIAL)
def test_special_files_given_as_the_config_are_refused(
    command, kind, empty_registry, tmp_path, refused
):
    path, says = special_path(kind, tmp_path)
    stderr = refused(empty_registry, *_args(command, path, tmp_path), expect=(says,))
    assert str(path)[:40].replace("\x00", "\\x00") in stderr


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", [*SPECIAL, "dot"])
def test_special_files_as_a_records_file_are_refused(kind, empty_registry, tmp_path, refused):
    """`file: "."`, a FIFO (would hang: opening a FIFO waits for a writer), a loop, ..."""
    config_dir = tmp_path / "configs"
    config_dir.mkdir()
    if kind == "dot":
        value, says, shown = ".", "is a directory", str(config_dir)
    else:
        path, says = special_path(kind, config_dir)
        value = str(path)
        shown = value[:40].replace("\x00", "\\x00")
    config = config_dir / "dimension.json5"
    config.write_text(
        json.dumps({"type": "geography", "name": "Places", "class": "Geography", "file": value})
    )
    if kind == "NUL in path":  # a NUL cannot reach a path through a config: refused as text
        says, shown = "NUL", "file"
    refused(
        empty_registry,
        "registry",
        "dimensions",
        "register",
        config,
        "-l",
        "x",
        expect=(str(config), says, shown),
    )


@pytest.mark.timeout(30)
def test_a_fifo_as_a_data_file_is_refused(empty_registry, tmp_path, refused):
    folder = tmp_path / "upload"
    folder.mkdir()
    os.mkfifo(folder / "data.csv")
    refused(
        empty_registry,
        "registry",
        "datasets",
        "register",
        small_dataset(folder, "data.csv"),
        "-l",
        "x",
        expect=("data_layout.data_file.path = 'data.csv'", "FIFO"),
    )
