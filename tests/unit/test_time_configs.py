"""Time dimension configs: every form the reference (dsgrid-toolkit 0.4.0) accepts is read,
every one it refuses is refused, and what we read equals what it reads (ranges, frequencies,
zones, interval and measurement types, column formats). The reference's verdicts come from
its own pydantic models, run in its virtual environment."""

from __future__ import annotations

import json
import subprocess
import warnings
from datetime import timedelta
from pathlib import Path

import pytest

from dsgrid_core.config.any_dimension import parse_dimension
from dsgrid_core.config.time_zones import LEGACY_TIME_ZONES
from tests.reference_cli import REFERENCE_VENV

DT = {"type": "time", "name": "t", "class": "Time", "time_type": "datetime"}
RANGE = {"start": "2012-01-01 00:00:00", "end": "2012-01-01 23:00:00"}
EST = {"format_type": "aligned_in_absolute_time", "time_zone": "Etc/GMT+5"}


def dt(**kw):
    return {**DT, "time_interval_type": "period_beginning", "time_zone_format": EST, **kw}


# (case id, config, reference verdict we expect to share: True accept / False refuse)
CASES = [
    ("current", dt(ranges=[RANGE]), True),
    ("iso_duration", dt(ranges=[{**RANGE, "frequency": "P0DT1H0M0.000000S"}]), True),
    ("iso_short", dt(ranges=[{**RANGE, "frequency": "PT1H"}]), True),
    ("seconds", dt(ranges=[{**RANGE, "frequency": 3600}]), True),
    (
        "quarter_hour",
        dt(ranges=[{**RANGE, "end": "2012-01-01 23:45:00", "frequency": "00:15:00"}]),
        True,
    ),
    (
        "daily",
        dt(
            ranges=[
                {
                    "start": "2012-01-01 00:00:00",
                    "end": "2012-12-31 00:00:00",
                    "frequency": "1 day, 0:00:00",
                }
            ]
        ),
        True,
    ),
    (
        "legacy_top_level",
        {
            **DT,
            "time_interval_type": "period_ending",
            "timezone": "Etc/GMT+5",
            "str_format": "%Y-%m-%d %H:%M:%S",
            "frequency": "01:00:00",
            "leap_day_adjustment": "none",
            "ranges": [RANGE],
        },
        True,
    ),
    (
        "legacy_leap_day_not_none",
        {**dt(ranges=[RANGE]), "leap_day_adjustment": "drop_feb29"},
        False,
    ),
    (
        "legacy_datetime_format",
        {
            **DT,
            "time_interval_type": "period_beginning",
            "datetime_format": {"format_type": "aligned", "timezone": "Etc/GMT+6"},
            "ranges": [RANGE],
        },
        True,
    ),
    (
        "legacy_clock_time_name",
        dt(
            ranges=[RANGE],
            time_zone_format={
                "format_type": "aligned_in_clock_time",
                "time_zones": ["Etc/GMT+5", "Etc/GMT+8"],
            },
            column_format={"dtype": "timestamp_ntz"},
        ),
        True,
    ),
    (
        "std_clock_time",
        dt(
            ranges=[RANGE],
            time_zone_format={
                "format_type": "aligned_in_std_clock_time",
                "time_zones": ["America/New_York"],
            },
        ),
        True,
    ),
    (
        "std_clock_time_naive_dst_zone",
        dt(
            ranges=[RANGE],
            time_zone_format={
                "format_type": "aligned_in_std_clock_time",
                "time_zones": ["America/New_York"],
            },
            column_format={"dtype": "timestamp_ntz"},
        ),
        False,
    ),
    (
        "null_zone",
        dt(
            ranges=[RANGE],
            time_zone_format={"format_type": "aligned_in_absolute_time", "time_zone": None},
        ),
        True,
    ),
    ("no_zone_format", {**DT, "time_interval_type": "period_beginning", "ranges": [RANGE]}, False),
    ("no_interval_type", {**DT, "time_zone_format": EST, "ranges": [RANGE]}, False),
    (
        "ntz_fixed",
        dt(ranges=[RANGE], column_format={"dtype": "timestamp_ntz", "time_column": "ts"}),
        True,
    ),
    (
        "ntz_dst_zone",
        dt(
            ranges=[RANGE],
            time_zone_format={**EST, "time_zone": "America/Chicago"},
            column_format={"dtype": "timestamp_ntz"},
        ),
        False,
    ),
    (
        "tz_dst_zone",
        dt(ranges=[RANGE], time_zone_format={**EST, "time_zone": "America/Chicago"}),
        True,
    ),
    ("legacy_dtype", dt(ranges=[RANGE], column_format={"dtype": "TIMESTAMP_NTZ"}), True),
    ("legacy_time_column", {**dt(ranges=[RANGE]), "time_column": "ts"}, True),
    (
        "parts",
        dt(
            ranges=[RANGE],
            column_format={
                "dtype": "time_format_in_parts",
                "year_column": "y",
                "month_column": "m",
                "day_column": "d",
                "hour_column": "h",
            },
        ),
        True,
    ),
    (
        "parts_offset_dst",
        dt(
            ranges=[RANGE],
            time_zone_format={**EST, "time_zone": "America/New_York"},
            column_format={
                "dtype": "time_format_in_parts",
                "year_column": "y",
                "month_column": "m",
                "day_column": "d",
                "offset_column": "o",
            },
        ),
        True,
    ),
    (
        "parts_missing_day",
        dt(
            ranges=[RANGE],
            column_format={
                "dtype": "time_format_in_parts",
                "year_column": "y",
                "month_column": "m",
            },
        ),
        False,
    ),
    (
        "end_before_start",
        dt(ranges=[{"start": "2012-01-02 00:00:00", "end": "2012-01-01 00:00:00"}]),
        False,
    ),
    ("not_whole_steps", dt(ranges=[{**RANGE, "end": "2012-01-01 23:30:00"}]), False),
    (
        "year_frequency",
        dt(
            ranges=[
                {
                    "start": "2012-01-01 00:00:00",
                    "end": "2013-01-01 00:00:00",
                    "frequency": "365 days, 0:00:00",
                }
            ]
        ),
        False,
    ),
    ("bad_format", dt(ranges=[{**RANGE, "str_format": "%Y/%m/%d"}]), False),
    (
        "aware_range",
        dt(
            ranges=[
                {
                    "start": "2012-01-01 00:00:00+0000",
                    "end": "2012-01-01 01:00:00+0000",
                    "str_format": "%Y-%m-%d %H:%M:%S%z",
                }
            ]
        ),
        False,
    ),
    ("bad_measurement", dt(ranges=[RANGE], measurement_type="median"), False),
    ("unknown_key", dt(ranges=[RANGE], leap_day=True), False),
    ("mean", dt(ranges=[RANGE], measurement_type="mean"), True),
    (
        "two_ranges",
        dt(ranges=[RANGE, {"start": "2013-01-01 00:00:00", "end": "2013-01-01 05:00:00"}]),
        True,
    ),
    # annual
    (
        "annual",
        {
            "type": "time",
            "name": "a",
            "class": "AnnualTime",
            "time_type": "annual",
            "ranges": [{"start": "2010", "end": "2020"}],
            "include_leap_day": True,
        },
        True,
    ),
    (
        "annual_legacy_str_format",
        {
            "type": "time",
            "name": "a",
            "class": "AnnualTime",
            "time_type": "annual",
            "ranges": [{"start": "2010", "end": "2020"}],
            "str_format": "%Y",
        },
        True,
    ),
    (
        "annual_every_5",
        {
            "type": "time",
            "name": "a",
            "class": "AnnualTime",
            "time_type": "annual",
            "ranges": [{"start": "2010", "end": "2050", "frequency": 5}],
        },
        True,
    ),
    (
        "annual_bad_step",
        {
            "type": "time",
            "name": "a",
            "class": "AnnualTime",
            "time_type": "annual",
            "ranges": [{"start": "2010", "end": "2052", "frequency": 5}],
        },
        False,
    ),
    (
        "annual_backwards",
        {
            "type": "time",
            "name": "a",
            "class": "AnnualTime",
            "time_type": "annual",
            "ranges": [{"start": "2020", "end": "2010"}],
        },
        False,
    ),
    (
        "annual_mean",
        {
            "type": "time",
            "name": "a",
            "class": "AnnualTime",
            "time_type": "annual",
            "measurement_type": "mean",
            "ranges": [],
        },
        False,
    ),
    (
        "annual_no_ranges",
        {"type": "time", "name": "a", "class": "AnnualTime", "time_type": "annual"},
        True,
    ),
    (
        "annual_interval",
        {
            "type": "time",
            "name": "a",
            "class": "AnnualTime",
            "time_type": "annual",
            "time_interval_type": "period_beginning",
            "ranges": [],
        },
        False,
    ),
    # representative periods
    (
        "rep_week",
        {
            "type": "time",
            "name": "r",
            "class": "Time",
            "time_type": "representative_period",
            "format": "one_week_per_month_by_hour",
            "ranges": [{"start": 1, "end": 12}],
            "time_interval_type": "period_ending",
        },
        True,
    ),
    (
        "rep_weekday",
        {
            "type": "time",
            "name": "r",
            "class": "Time",
            "time_type": "representative_period",
            "format": "one_weekday_day_and_one_weekend_day_per_month_by_hour",
            "ranges": [{"start": 1, "end": 6}],
            "time_interval_type": "period_beginning",
        },
        True,
    ),
    (
        "rep_no_ranges",
        {
            "type": "time",
            "name": "r",
            "class": "Time",
            "time_type": "representative_period",
            "format": "one_week_per_month_by_hour",
            "time_interval_type": "period_ending",
        },
        False,
    ),
    (
        "rep_bad_format",
        {
            "type": "time",
            "name": "r",
            "class": "Time",
            "time_type": "representative_period",
            "format": "one_day_per_month",
            "ranges": [{"start": 1, "end": 12}],
            "time_interval_type": "period_ending",
        },
        False,
    ),
    # index
    (
        "index",
        {
            "type": "time",
            "name": "i",
            "class": "Time",
            "time_type": "index",
            "time_interval_type": "period_beginning",
            "ranges": [
                {
                    "start": 0,
                    "end": 8783,
                    "starting_timestamp": "2012-01-01 00:00:00",
                    "frequency": "PT1H",
                }
            ],
        },
        True,
    ),
    (
        "index_legacy",
        {
            "type": "time",
            "name": "i",
            "class": "Time",
            "time_type": "index",
            "time_interval_type": "period_beginning",
            "ranges": [{"start": 0, "end": 23}],
            "starting_timestamps": ["2012-01-01 00:00:00"],
            "str_format": "%Y-%m-%d %H:%M:%S",
            "frequency": "01:00:00",
        },
        True,
    ),
    (
        "index_backwards",
        {
            "type": "time",
            "name": "i",
            "class": "Time",
            "time_type": "index",
            "time_interval_type": "period_beginning",
            "ranges": [{"start": 5, "end": 1, "starting_timestamp": "2012-01-01 00:00:00"}],
        },
        False,
    ),
    (
        "index_no_start",
        {
            "type": "time",
            "name": "i",
            "class": "Time",
            "time_type": "index",
            "time_interval_type": "period_beginning",
            "ranges": [{"start": 0, "end": 1}],
        },
        False,
    ),
    # no-op
    ("noop", {"type": "time", "name": "n", "class": "NoOpTime", "time_type": "noop"}, True),
    (
        "noop_extra",
        {
            "type": "time",
            "name": "n",
            "class": "NoOpTime",
            "time_type": "noop",
            "time_interval_type": "period_beginning",
        },
        False,
    ),
    ("bad_time_type", {"type": "time", "name": "n", "class": "Time", "time_type": "weekly"}, False),
    ("column_format_no_dtype", dt(ranges=[RANGE], column_format={"time_column": "ts"}), False),
    ("zero_frequency", dt(ranges=[{**RANGE, "frequency": 0}]), False),
    (
        "legacy_aligned",
        {
            **DT,
            "time_interval_type": "period_beginning",
            "time_zone_format": {"format_type": "aligned", "time_zone": "Etc/GMT+6"},
            "ranges": [RANGE],
        },
        True,
    ),
]

# Refused by us and accepted by the reference's model (it fails later, or never checks).
STRICTER = {
    "rep_month_13": {
        "type": "time",
        "name": "r",
        "class": "Time",
        "time_type": "representative_period",
        "format": "one_week_per_month_by_hour",
        "ranges": [{"start": 1, "end": 13}],
        "time_interval_type": "period_ending",
    },
    "index_bad_start": {
        "type": "time",
        "name": "i",
        "class": "Time",
        "time_type": "index",
        "time_interval_type": "period_beginning",
        "ranges": [{"start": 0, "end": 1, "starting_timestamp": "Jan 1 2012"}],
    },
}

# Accepted by us with a notice naming the current form, refused by the reference's model
# although it means to accept them: its enum maps aligned_in_clock_time and its validators
# rename TIMESTAMP_NTZ and move time_column, but its discriminated unions run first (or a
# missing column_format raises KeyError).
LENIENT = {"legacy_clock_time_name", "legacy_dtype", "legacy_time_column"}
# ... and their current spellings, which the reference reads as we read the legacy ones.
MODERN = {
    "legacy_clock_time_name": dt(
        ranges=[RANGE],
        time_zone_format={
            "format_type": "aligned_in_std_clock_time",
            "time_zones": ["Etc/GMT+5", "Etc/GMT+8"],
        },
        column_format={"dtype": "timestamp_ntz"},
    ),
    "legacy_dtype": dt(ranges=[RANGE], column_format={"dtype": "timestamp_ntz"}),
    "legacy_time_column": dt(
        ranges=[RANGE], column_format={"dtype": "timestamp_tz", "time_column": "ts"}
    ),
}

REF_PY = REFERENCE_VENV / "bin" / "python"
REF_SCRIPT = """
import json, sys, logging
logging.disable(logging.CRITICAL)
from pydantic import TypeAdapter
from dsgrid.config.dimensions import DimensionsListModel
ta = TypeAdapter(DimensionsListModel)
out = []
for case in json.load(sys.stdin):
    try:
        m = ta.validate_python([case])[0]
        out.append({"ok": True, "dump": json.loads(m.model_dump_json(exclude={"cls"}))})
    except BaseException as e:
        out.append({"ok": False, "error": str(e)[:300]})
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def reference_verdicts() -> dict[str, dict]:
    if not REF_PY.exists():
        pytest.skip(f"the reference dsgrid-toolkit 0.4.0 is not installed at {REFERENCE_VENV}")
    names = [c[0] for c in CASES] + list(STRICTER) + [f"modern:{n}" for n in MODERN]
    configs = [c[1] for c in CASES] + list(STRICTER.values()) + list(MODERN.values())
    done = subprocess.run(  # noqa: S603
        [str(REF_PY), "-c", REF_SCRIPT],
        input=json.dumps(configs),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return dict(zip(names, json.loads(done.stdout.strip().splitlines()[-1]), strict=True))


def ours(config):
    with warnings.catch_warnings(record=True) as notes:
        warnings.simplefilter("always")
        try:
            return parse_dimension(json.loads(json.dumps(config))), [str(n.message) for n in notes]
        except ValueError as exc:
            return exc, []


def _seconds(value) -> float:
    if isinstance(value, int | float):
        return float(value)
    from pydantic import TypeAdapter

    return TypeAdapter(timedelta).validate_python(value).total_seconds()


def _summary_ref(dump: dict) -> dict:
    """The fields both models share, from the reference's dump."""
    out = {"time_type": dump["time_type"]}
    for key in ("time_interval_type", "measurement_type", "include_leap_day", "format"):
        if key in dump:
            out[key] = dump[key]
    ranges = []
    for r in dump.get("ranges", []):
        r = dict(r)
        if "frequency" in r and dump["time_type"] != "annual":
            r["frequency"] = _seconds(r["frequency"])
        ranges.append(r)
    out["ranges"] = ranges
    if "time_zone_format" in dump:
        fmt = dict(dump["time_zone_format"])
        if fmt.get("time_zone"):
            fmt["time_zone"] = LEGACY_TIME_ZONES.get(fmt["time_zone"], fmt["time_zone"])
        out["time_zone_format"] = fmt
        out["column_format"] = dump["column_format"]
    return out


def _summary_ours(model) -> dict:
    dump = model.model_dump(mode="json", by_alias=True)
    return _summary_ref(dump)


@pytest.mark.parametrize(("name", "config", "accepted"), CASES, ids=[c[0] for c in CASES])
def test_same_verdict_and_reading_as_reference(name, config, accepted, reference_verdicts):
    ref = reference_verdicts[name]
    assert ref["ok"] is (accepted and name not in LENIENT), f"the reference's verdict: {ref}"
    model, _ = ours(config)
    if not accepted:
        assert isinstance(model, ValueError), f"{name}: accepted, the reference refuses"
        return
    assert not isinstance(model, Exception), f"{name}: refused: {model}"
    if name in LENIENT:
        ref = reference_verdicts[f"modern:{name}"]
    assert _summary_ours(model) == _summary_ref(ref["dump"])


@pytest.mark.parametrize("name", list(STRICTER))
def test_stricter_than_reference_with_reason(name, reference_verdicts):
    assert reference_verdicts[name]["ok"], "the reference's model accepts this"
    model, _ = ours(STRICTER[name])
    assert isinstance(model, ValueError)


def test_record_classes_of_time_dimensions():
    for cls in ("Time", "AnnualTime", "NoOpTime"):
        model, _ = ours({"type": "time", "name": "n", "class": cls, "time_type": "noop"})
        assert model.record_class == cls
    refused, _ = ours({"type": "time", "name": "n", "class": "County", "time_type": "noop"})
    assert "AnnualTime" in str(refused)


def test_legacy_notices_name_the_modern_form():
    model, notes = ours(CASES[6][1])
    assert model.ranges[0].frequency == timedelta(hours=1)
    text = " ".join(notes)
    assert "'timezone'" in text and "'str_format'" in text and "'leap_day_adjustment'" in text
    model, notes = ours(
        dt(ranges=[RANGE], time_zone_format={**EST, "time_zone": "EasternPrevailing"})
    )
    assert model.time_zone == "America/New_York"
    assert any("'America/New_York'" in n for n in notes)


@pytest.mark.parametrize(
    ("legacy", "iana", "dst"),
    [
        ("EasternPrevailing", "America/New_York", True),
        ("CentralPrevailing", "America/Chicago", True),
        ("MountainPrevailing", "America/Denver", True),
        ("PacificPrevailing", "America/Los_Angeles", True),
        ("USArizona", "America/Phoenix", False),
        ("EasternStandard", "Etc/GMT+5", False),
    ],
)
def test_legacy_zone_offsets_match_dsgrids_old_enum(legacy, iana, dst):
    """Independent check of the meaning: Prevailing zones save daylight, Standard ones and
    Arizona do not; the July offset tells."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from dsgrid_core.config.time_zones import observes_dst, to_iana_time_zone

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert to_iana_time_zone(legacy) == iana
    assert observes_dst(iana) is dst
    jan = datetime(2012, 1, 15, tzinfo=ZoneInfo(iana)).utcoffset()
    jul = datetime(2012, 7, 15, tzinfo=ZoneInfo(iana)).utcoffset()
    assert (jul - jan == timedelta(hours=1)) is dst


def test_legacy_forms_come_with_notices():
    for name, config, _ in CASES:
        if name in LENIENT:
            model, notes = ours(config)
            assert not isinstance(model, Exception) and notes, name


def test_datetime_instants_step_in_absolute_time_across_dst():
    """Independent pandas computation: a DST zone's hourly range from its localized start to
    its localized end, stepping in absolute time (dsgrid's rule), skips the missing 2 AM."""
    import pandas as pd

    zone_fmt = {**EST, "time_zone": "America/New_York"}
    rng = {"start": "2012-03-10 00:00:00", "end": "2012-03-12 23:00:00"}
    model, _ = ours(dt(ranges=[rng], time_zone_format=zone_fmt))
    start = pd.Timestamp(rng["start"], tz="America/New_York").tz_convert("UTC")
    end = pd.Timestamp(rng["end"], tz="America/New_York").tz_convert("UTC")
    expected = pd.date_range(start, end, freq="h")
    assert [t.isoformat() for t in model.instants()] == [t.isoformat() for t in expected]
    assert len(expected) == 71


STANDARD_SCENARIOS = Path("/work/shared/dsgrid-projects/StandardScenarios")


def test_standard_scenarios_county_time_zones_read_as_iana():
    """The real county records use dsgrid's legacy names (the reference 0.4 refuses them):
    read as IANA, with one notice per name; counted independently with the csv module."""
    import csv
    from collections import Counter

    from dsgrid_core.data.records import load_dimension_records, record_time_zones

    path = STANDARD_SCENARIOS / "dsgrid_project" / "dimensions" / "counties.csv"
    if not path.exists():
        pytest.skip(f"StandardScenarios not found at {STANDARD_SCENARIOS}")
    with path.open(newline="") as handle:
        raw = Counter(row["time_zone"] for row in csv.DictReader(handle))
    with warnings.catch_warnings(record=True) as notes:
        warnings.simplefilter("always")
        records = load_dimension_records(path, None, "County", str(path))
    got = Counter(r["time_zone"] for r in records)
    assert got == Counter({LEGACY_TIME_ZONES[k]: n for k, n in raw.items()})
    assert got["America/Phoenix"] == raw["USArizona"]
    assert len([n for n in notes if "legacy dsgrid time zone" in str(n.message)]) == len(raw)
    assert set(record_time_zones(records)) == {LEGACY_TIME_ZONES[k] for k in raw}


def test_unknown_record_time_zone_is_refused_with_its_record():
    from dsgrid_core.data.records import check_dimension_records
    from dsgrid_core.errors import InputError

    rows = [{"id": "01001", "name": "Autauga", "state": "AL", "time_zone": "MarsStandard"}]
    with pytest.raises(InputError, match=r"record 1 \(01001\): time_zone: unknown time zone"):
        check_dimension_records(rows, "County", "counties.csv")
