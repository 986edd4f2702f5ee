"""Time kept in each geography's own clock (dsgrid_core.timealign.dst, std_clock_map): the
daylight-saving adjustment of index time and datetime time aligned_in_std_clock_time. Each
case is mapped with our time map and compared with an independent pandas computation of the
documented rule and with the reference's own mapping (dsgrid 0.4 + chronify 0.7)."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from dsgrid_core.config.time_adjustment import TimeBasedDataAdjustment
from dsgrid_core.errors import CheckFailed
from dsgrid_core.timealign import AlignOptions
from dsgrid_core.timealign.notices import TimeAlignmentNotice
from dsgrid_core.validate.submission_checks import check_time_alignment
from tests.integration.test_time_alignment import (
    HARNESS,
    REF_PY,
    canonical,
    datetime_dim,
    index_dim,
    model,
    reference_map,
)

ZONES = {"ny": "America/New_York", "co": "America/Denver"}
PROJECT_ZONE = "Etc/GMT+5"
YEAR_2018 = ("2018-01-01 00:00:00", "2018-12-31 23:00:00")


def dst(fall_back: str) -> dict:
    return {
        "daylight_saving_adjustment": {"spring_forward_hour": "drop", "fall_back_hour": fall_back}
    }


def dst_options(fall_back: str, *zones: str) -> AlignOptions:
    """The dataset entry's options: wrapping allowed, the adjustment, the geography zones."""
    return AlignOptions(True, TimeBasedDataAdjustment(**dst(fall_back)), zones)


def level(geo: str, k: int) -> float:
    """A value per (geography, step) that is not linear in k (interpolation must show)."""
    return (k * k) % 97 + (1000.0 if geo == "co" else 0.0)


def project_steps(start: str, end: str, step: timedelta) -> pd.DatetimeIndex:
    first = pd.Timestamp(start, tz=PROJECT_ZONE)
    return pd.date_range(first, pd.Timestamp(end, tz=PROJECT_ZONE), freq=step).tz_convert("UTC")


def wrap_into(t, steps: pd.DatetimeIndex, step: timedelta):
    span = steps[-1] - steps[0] + step
    return t + span if t < steps[0] else (t - span if t > steps[-1] else t)


def summed(time_map, data: pd.DataFrame) -> pd.DataFrame:
    """Our map applied to the data: value x factor, summed per geography and instant."""
    rows = pd.DataFrame(time_map.rows, columns=[*time_map.key_columns, "__to", "__factor"])
    rows["__to"] = pd.to_datetime(rows["__to"], utc=True)
    if "timestamp" in time_map.key_columns:
        rows["timestamp"] = pd.to_datetime(rows["timestamp"], utc=True)
    out = data.merge(rows, on=time_map.key_columns, how="inner")
    out = out.assign(value=out["value"] * out["__factor"], timestamp=out["__to"])
    return out.groupby(["geography", "timestamp"], as_index=False)["value"].sum()


def as_text(frame: pd.DataFrame) -> list[dict]:
    """Rows for the harness (timestamps as text)."""
    return frame.assign(timestamp=frame["timestamp"].map(str)).to_dict("records")


def ny_rows(n: int) -> list[dict]:
    return [
        {"geography": "ny", "time_zone": ZONES["ny"], "time_index": k, "value": 1.0}
        for k in range(n)
    ]


def reference_run(job: dict) -> subprocess.CompletedProcess:
    if not REF_PY.exists():
        pytest.skip("the reference dsgrid-toolkit 0.4.0 is not installed")
    return subprocess.run(  # noqa: S603
        [str(REF_PY), str(HARNESS)], input=json.dumps(job), capture_output=True, text=True
    )


# --- daylight-saving adjustment of index time -------------------------------------------------


def independent_dst(start: str, n: int, step: timedelta, fall_back: str, steps, shift):
    """The rule written out: index k is the standard clock time start + k*step. Each instant
    of the range read in the zone (local start, absolute steps) takes the index of its local
    clock time; the second reading of the fall-back hour (fold 1) takes it again (duplicate)
    or, at its m-th of n steps, (1 - m/(n+1)) x the value at the hour's last step + m/(n+1) x
    the value at the next hour (interpolate). Then period shift and wrapping."""
    per_hour = timedelta(hours=1) // step
    rows = []
    for geo, zone in ZONES.items():
        by_clock = {pd.Timestamp(start) + k * step: level(geo, k) for k in range(n)}
        first = pd.Timestamp(start).tz_localize(zone).tz_convert("UTC").to_pydatetime()
        for j in range(n):
            local = (first + j * step).astimezone(ZoneInfo(zone))
            wall = pd.Timestamp(local.replace(tzinfo=None, fold=0))
            if local.fold and fall_back == "interpolate":
                hour = wall.floor("h")
                m = (wall - hour) // step + 1
                upper = m / (per_hour + 1)
                value = (1 - upper) * by_clock[hour + timedelta(hours=1) - step]
                value += upper * by_clock[hour + timedelta(hours=1)]
            else:
                value = by_clock[wall]
            instant = wrap_into(pd.Timestamp(first + j * step) + shift, steps, step)
            rows.append((geo, instant, value))
    return canonical(pd.DataFrame(rows, columns=["geography", "timestamp", "value"]))


DST_CASES = {
    # a whole year holds both changes; every instant of both zones gets a value
    "year": ("2018-01-01 00:00:00", 8760, "01:00:00", "2018-12-31 23:00:00", "period_beginning"),
    "year_period_ending":
        ("2018-01-01 01:00:00", 8760, "01:00:00", "2019-01-01 00:00:00", "period_ending"),
    # quarter hours around the fall back (the last hour of indices is left over)
    "fall_back_15min":
        ("2018-11-03 00:00:00", 288, "00:15:00", "2018-11-05 23:45:00", "period_beginning"),
}  # fmt: skip


@pytest.mark.parametrize("fall_back", ["duplicate", "interpolate"])
@pytest.mark.parametrize("case", list(DST_CASES))
def test_daylight_saving_adjustment_of_index_time(case, fall_back):
    start, n, freq, end, interval = DST_CASES[case]
    ds_cfg = index_dim(n, start=start, interval=interval)
    ds_cfg["ranges"][0]["frequency"] = freq
    pj_start, pj_end = (start, end) if interval == "period_beginning" else YEAR_2018
    pj_cfg = datetime_dim([(pj_start, pj_end)])
    pj_cfg["ranges"][0]["frequency"] = freq
    options = dst_options(fall_back, *ZONES.values())
    time_map = check_time_alignment(model(ds_cfg), model(pj_cfg), "submission of ds", options)
    data = pd.DataFrame(
        [(g, z, k, level(g, k)) for g, z in ZONES.items() for k in range(n)],
        columns=["geography", "time_zone", "time_index", "value"],
    )
    ours = canonical(summed(time_map, data))
    if case == "year":
        # the spring-forward hour (Mar 11 02:00, in both zones) is dropped
        dropped = int((pd.Timestamp("2018-03-11 02:00") - pd.Timestamp(start)) / pd.Timedelta(freq))
        assert not [r for r in time_map.rows if r[0] == dropped]
        assert len({r[0] for r in time_map.rows}) == n - 1
    step = pd.Timedelta(freq).to_pytimedelta()
    shift = -step if interval == "period_ending" else timedelta(0)
    steps = project_steps(pj_start, pj_end, step)
    assert len(ours) == 2 * len(steps)
    pd.testing.assert_frame_equal(ours, independent_dst(start, n, step, fall_back, steps, shift))
    job = {"rows": data.to_dict("records"), "wrap": True, "adjustment": dst(fall_back)}
    ref = reference_map({"from": ds_cfg, "to": pj_cfg, **job})
    pd.testing.assert_frame_equal(ours, canonical(ref))


def test_dst_interpolation_factors_are_shown_in_the_map():
    ds_cfg = index_dim(96, start="2018-11-03 00:00:00")
    pj_cfg = datetime_dim([("2018-11-03 00:00:00", "2018-11-06 23:00:00")])
    options = dst_options("interpolate", ZONES["ny"])
    time_map = check_time_alignment(model(ds_cfg), model(pj_cfg), "sub", options)
    est_one_am = pd.Timestamp("2018-11-04 06:00", tz="UTC").to_pydatetime()
    pairs = sorted((r[0], r[3]) for r in time_map.rows if r[2] == est_one_am)
    # 01:00 EST (second reading) = half of index 25 (01:00) and half of index 26 (02:00)
    assert pairs == [(25, 0.5), (26, 0.5)]
    # after the fall back the clock runs an hour behind: the last index (Nov 6 23:00) is
    # read by no instant
    assert not [r for r in time_map.rows if r[0] == 95]
    assert "fall-back hour interpolate" in time_map.notes[0]


def test_spring_forward_only_range_is_refused_by_both():
    """After spring forward the local clock runs an hour ahead of the standard-time indices:
    a range without the fall back leaves its last instant without value. We refuse that; the
    reference fails too with one zone (length mismatch, or with wrapping an assertion), but
    with two zones and wrapping it maps 71 of the 72 hours per geography without a word."""
    ds_cfg = index_dim(72, start="2018-03-10 00:00:00")
    pj_cfg = datetime_dim([("2018-03-10 00:00:00", "2018-03-12 23:00:00")])
    options = dst_options("duplicate", ZONES["ny"])
    with pytest.raises(CheckFailed, match="get no value in America/New_York") as caught:
        check_time_alignment(model(ds_cfg), model(pj_cfg), "submission of ds", options)
    assert "submission of ds" in str(caught.value) and "cover both changes" in str(caught.value)
    job = {"from": ds_cfg, "to": pj_cfg, "rows": ny_rows(72), "adjustment": dst("duplicate")}
    assert "Length must match" in reference_run(job).stderr
    assert "AssertionError" in reference_run({**job, "wrap": True}).stderr
    rows = [dict(r, geography=g, time_zone=z) for g, z in ZONES.items() for r in ny_rows(72)]
    ref = reference_map({**job, "rows": rows, "wrap": True})
    assert ref.groupby("geography").size().to_dict() == {"co": 71, "ny": 71}
    with pytest.raises(CheckFailed, match="get no value"):
        check_time_alignment(
            model(ds_cfg), model(pj_cfg), "s", dst_options("duplicate", *ZONES.values())
        )


def test_interpolating_a_fall_back_hour_at_the_range_end_is_refused_by_both():
    """The range ends on the second reading of 01:00: no clock time after it to interpolate
    towards. We refuse with a message; the reference fails in its own check that each
    instant's factors sum to 1 (a ValueError from that assert)."""
    ds_cfg = index_dim(27, start="2018-11-03 00:00:00")
    pj_cfg = datetime_dim([("2018-11-03 00:00:00", "2018-11-04 02:00:00")])
    options = dst_options("interpolate", ZONES["ny"])
    with pytest.raises(CheckFailed, match="range ends within it"):
        check_time_alignment(model(ds_cfg), model(pj_cfg), "sub", options)
    job = {"from": ds_cfg, "to": pj_cfg, "rows": ny_rows(27), "wrap": True}
    done = reference_run({**job, "adjustment": dst("interpolate")})
    assert done.returncode != 0 and "_create_fallback_interpolation_map" in done.stderr


def test_dst_adjustment_needs_a_step_dividing_an_hour():
    ds_cfg = index_dim(48, start="2018-11-03 00:00:00")
    ds_cfg["ranges"][0]["frequency"] = "02:00:00"
    pj_cfg = datetime_dim([("2018-11-03 00:00:00", "2018-11-06 22:00:00")])
    pj_cfg["ranges"][0]["frequency"] = "02:00:00"
    options = dst_options("duplicate", ZONES["ny"])
    with pytest.raises(CheckFailed, match="divides one hour"):
        check_time_alignment(model(ds_cfg), model(pj_cfg), "sub", options)


@pytest.mark.parametrize(
    "dataset_time",
    [
        datetime_dim([("2018-01-01 00:00:00", "2018-01-01 23:00:00")]),
        {"type": "time", "name": "n", "class": "NoOpTime", "time_type": "noop"},
    ],
)
def test_dst_adjustment_of_other_time_types_is_ignored_with_a_notice(dataset_time):
    """dsgrid logs a warning and maps as without the adjustment; we say it, naming the
    dataset, as a TimeAlignmentNotice warning (and in the map's notes)."""
    pj = model(datetime_dim([("2018-01-01 00:00:00", "2018-01-01 23:00:00")]))
    options = AlignOptions(adjustment=TimeBasedDataAdjustment(**dst("duplicate")))
    plain = check_time_alignment(model(dataset_time), pj, "submission of ds_x to p")
    with pytest.warns(TimeAlignmentNotice, match="submission of ds_x to p: .*does not apply to"):
        time_map = check_time_alignment(model(dataset_time), pj, "submission of ds_x to p", options)
    if plain is None:
        assert time_map is None
        return
    assert time_map.rows == plain.rows
    assert "datetime time" in time_map.notes[-1] and "ignored" in time_map.notes[-1]


# --- datetime aligned_in_std_clock_time -------------------------------------------------------


def std_clock_dim(zones, dtype, start, end, interval="period_beginning"):
    cfg = datetime_dim([(start, end)], interval=interval)
    cfg["time_zone_format"] = {"format_type": "aligned_in_std_clock_time", "time_zones": zones}
    cfg["column_format"] = {"dtype": dtype, "time_column": "timestamp"}
    return cfg


STD_CASES = {
    # tz-naive clock times: dsgrid localizes each row in its (fixed-offset) zone
    "naive_fixed_zones": (
        {"ny": "Etc/GMT+5", "co": "Etc/GMT+7"}, "timestamp_ntz", "period_beginning",
        ("2018-03-09 00:00:00", "2018-03-12 23:00:00"),
    ),
    # tz-aware timestamps in zones with daylight saving, over a whole year
    "aware_dst_zones": (
        ZONES, "timestamp_tz", "period_ending", ("2018-01-01 01:00:00", "2019-01-01 00:00:00")
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(STD_CASES))
def test_std_clock_datetime_maps_per_zone(case):
    zones, dtype, interval, (start, end) = STD_CASES[case]
    ds_cfg = std_clock_dim(sorted(set(zones.values())), dtype, start, end, interval)
    pj_start, pj_end = (start, end) if interval == "period_beginning" else YEAR_2018
    pj_cfg = datetime_dim([(pj_start, pj_end)])
    options = AlignOptions(wrap_time_allowed=True, time_zones=tuple(zones.values()))
    time_map = check_time_alignment(model(ds_cfg), model(pj_cfg), "submission of ds", options)
    assert time_map.key_columns == ["timestamp", "time_zone"]
    clocks = pd.date_range(start, end, freq="h")
    naive = pd.DataFrame(
        [(g, z, t, level(g, k)) for g, z in zones.items() for k, t in enumerate(clocks)],
        columns=["geography", "time_zone", "timestamp", "value"],
    )
    # independent: a row's clock time in its zone: the start pinned there, absolute steps
    firsts = {z: pd.Timestamp(start).tz_localize(z).tz_convert("UTC") for z in zones.values()}
    stored = naive.assign(
        timestamp=[
            firsts[z] + (t - clocks[0])
            for z, t in zip(naive.time_zone, naive.timestamp, strict=True)
        ]
    )
    step = timedelta(hours=1)
    shift = -step if interval == "period_ending" else timedelta(0)
    steps = project_steps(pj_start, pj_end, step)
    moved = [wrap_into(t + shift, steps, step) for t in stored["timestamp"]]
    ours = canonical(summed(time_map, stored))
    pd.testing.assert_frame_equal(ours, canonical(stored.assign(timestamp=moved)))
    # the reference's stored instants: its localization at registration (tz-naive data), or
    # the instants its checks expect (tz-aware data)
    if dtype == "timestamp_ntz":
        job = {"rows": as_text(naive), "localize": True, "naive_timestamp_columns": ["timestamp"]}
        pd.testing.assert_frame_equal(
            canonical(reference_map({"from": ds_cfg, **job})), canonical(stored)
        )
    else:
        expected = reference_map({"from": ds_cfg, "expected": True})
        keys = {(r[1], pd.Timestamp(r[0])) for r in time_map.rows}
        assert keys == set(zip(expected.time_zone, expected.timestamp, strict=True))
    # It cannot map this form to project time (next test); each zone's stored rows are
    # datetimes aligned in absolute time in that zone, which it maps:
    refs = []
    for g, z in zones.items():
        job = {"rows": as_text(stored[stored.geography == g]), "from_zone": z, "wrap": True}
        zone_cfg = datetime_dim([(start, end)], zone=z, interval=interval)
        job |= {"from": zone_cfg, "to": pj_cfg, "timestamp_columns": ["timestamp"]}
        refs.append(reference_map(job))
    pd.testing.assert_frame_equal(ours, canonical(pd.concat(refs)))


def test_the_reference_cannot_map_std_clock_datetime_to_project_time():
    """chronify 0.7 has no mapper from DatetimeRangeWithTZColumn (what dsgrid 0.4 builds for
    aligned_in_std_clock_time) to a datetime range: its project mapping raises."""
    start, end = "2018-01-01 00:00:00", "2018-01-01 03:00:00"
    ds_cfg = std_clock_dim(["Etc/GMT+5"], "timestamp_tz", start, end)
    pj_cfg = datetime_dim([(start, end)])
    stamps = pd.date_range(start, end, freq="h", tz="Etc/GMT+5")
    rows = [{"geography": "ny", "time_zone": "Etc/GMT+5", "timestamp": str(t), "value": 1.0}
            for t in stamps]  # fmt: skip
    job = {"rows": rows, "timestamp_columns": ["timestamp"], "from_zone": "UTC"}
    done = reference_run({"from": ds_cfg, "to": pj_cfg, **job})
    assert done.returncode != 0 and "No mapping function" in done.stderr
    options = AlignOptions(time_zones=("Etc/GMT+5",))
    assert check_time_alignment(model(ds_cfg), model(pj_cfg), "sub", options).rows


def test_std_clock_zones_must_be_listed_and_given():
    """A geography zone the time dimension does not list: the reference's localization drops
    that zone's rows without a word (shown); we refuse, naming the zone."""
    zones = ["Etc/GMT+5", "Etc/GMT+7"]
    ds_cfg = std_clock_dim(zones, "timestamp_ntz", "2018-01-01 00:00:00", "2018-01-01 23:00:00")
    pj_cfg = datetime_dim([("2018-01-01 00:00:00", "2018-01-01 23:00:00")])
    ds, pj = model(ds_cfg), model(pj_cfg)
    options = AlignOptions(True, time_zones=("America/Denver", "Etc/GMT+5"))
    with pytest.raises(CheckFailed, match="America/Denver, which the time dimension's"):
        check_time_alignment(ds, pj, "submission of ds", options)
    with pytest.raises(CheckFailed, match="no time_zone column"):
        check_time_alignment(ds, pj, "submission of ds", AlignOptions(True))
    clocks = pd.date_range("2018-01-01", periods=24, freq="h").map(str)
    rows = [
        {"geography": g, "time_zone": z, "timestamp": t, "value": 1.0}
        for g, z in (("ny", "Etc/GMT+5"), ("co", "America/Denver"))
        for t in clocks
    ]
    localized = reference_map(
        {"from": ds_cfg, "rows": rows, "localize": True, "naive_timestamp_columns": ["timestamp"]}
    )
    assert set(localized["geography"]) == {"ny"}  # co's 24 rows are gone
    accepted = check_time_alignment(ds, pj, "s", AlignOptions(True, time_zones=tuple(zones)))
    assert len(accepted.rows) == 48 and all(r[2].tzinfo is UTC for r in accepted.rows)


# --- submission end to end ----------------------------------------------------------------------

SINGLE = {
    "sector": ("Sector", "s1"),
    "subsector": ("Subsector", "a"),
    "weather_year": ("WeatherYear", "2018"),
    "model_year": ("ModelYear", "2018"),
    "scenario": ("Scenario", "base"),
}


def _dims(prefix: str, time: dict) -> list[dict]:
    """One record per dimension except two geographies, each with its time zone."""
    dims = [
        {"type": "metric", "class": "EnergyEndUse",
         "records": [{"id": "m1", "name": "M1", "fuel_id": "electricity", "unit": "kWh"}]},
        {"type": "geography", "class": "Geography",
         "records": [{"id": g, "name": g.upper(), "time_zone": z} for g, z in ZONES.items()]},
        *[{"type": t, "class": c, "records": [{"id": v, "name": v}]}
          for t, (c, v) in SINGLE.items()],
        time,
    ]  # fmt: skip
    for d in dims:
        d["name"] = f"{prefix} {d['type']}"
        d["description"] = d["type"]
    return dims


def _dst_project(folder, entry: dict) -> None:
    dims = _dims("dstp", datetime_dim([YEAR_2018]))
    project = {"project_id": "dst_project", "name": "dst", "description": "dst",
               "datasets": [{"dataset_id": "dst_ds", "dataset_type": "modeled", **entry}],
               "dimensions": {"base_dimensions": dims}}  # fmt: skip
    (folder / "project.json5").write_text(json.dumps(project))


def _register_dst_dataset(dsgrid, tmp_path, time: dict, data_file: str):
    """dst_ds (one table, stacked, in ``data_file``, with this time dimension) and the
    project written by _dst_project, bulk-registered and submitted into a new registry."""
    layout = {"table_format": "one_table", "value_format": "stacked",
              "data_file": {"path": data_file}}  # fmt: skip
    dataset = {"dataset_id": "dst_ds", "dataset_type": "modeled", "data_classification": "low",
               "trivial_dimensions": list(SINGLE), "dimensions": _dims("dstd", time),
               "data_layout": layout}  # fmt: skip
    (tmp_path / "dataset.json5").write_text(json.dumps(dataset))
    bulk = {
        "projects": [{"project_id": "dst_project", "config_file": "project.json5"}],
        "datasets": [{"dataset_id": "dst_ds", "config_file": "dataset.json5"}],
        "dataset_submissions": [{"dataset_id": "dst_ds", "project_id": "dst_project"}],
    }
    (tmp_path / "bulk.json5").write_text(json.dumps(bulk))
    reg = tmp_path / "reg"
    assert dsgrid("registry", "create", reg).exit_code == 0
    result = dsgrid("registry", "bulk-register", tmp_path / "bulk.json5", registry=reg)
    assert result.exit_code == 0, result
    return reg


def test_index_dataset_with_dst_adjustment_is_submitted(dsgrid, tmp_path):
    from dsgrid_core.registry.registry import Registry

    _dst_project(
        tmp_path, {"wrap_time_allowed": True, "time_based_data_adjustment": dst("interpolate")}
    )
    frame = pd.DataFrame(
        [(g, "m1", k, level(g, k)) for g in ZONES for k in range(8760)],
        columns=["geography", "metric", "time_index", "value"],
    )
    frame.to_csv(tmp_path / "load_data.csv", index=False)
    time = {**index_dim(8760, start="2018-01-01 00:00:00"), "description": "hours"}
    reg = _register_dst_dataset(dsgrid, tmp_path, time, "load_data.csv")
    with Registry(reg, read_only=True) as registry:
        project = registry.show("project", "dst_project")
    assert project.extra["datasets"]["dst_ds"]["status"] == "Registered"
    adjustment = project.config["datasets"][0]["time_based_data_adjustment"]
    assert (
        adjustment["daylight_saving_adjustment"] == dst("interpolate")["daylight_saving_adjustment"]
    )


@pytest.mark.parametrize("half", [{"spring_forward_hour": "drop"}, {"fall_back_hour": "duplicate"}])
def test_a_dst_adjustment_with_one_hour_is_refused_naming_the_dataset(dsgrid, tmp_path, half):
    _dst_project(tmp_path, {"time_based_data_adjustment": {"daylight_saving_adjustment": half}})
    reg = tmp_path / "reg"
    assert dsgrid("registry", "create", reg).exit_code == 0
    config = tmp_path / "project.json5"
    done = dsgrid("registry", "projects", "register", config, "-l", "x", registry=reg)
    assert done.exit_code != 0
    assert "dataset 'dst_ds'" in done.stderr and "daylight_saving_adjustment" in done.stderr
    assert "give both" in done.stderr, done


def test_an_ignored_dst_adjustment_is_said_on_the_command_line(dsgrid, tmp_path):
    """A datetime dataset with a daylight-saving adjustment: submitted (dsgrid ignores the
    adjustment for time other than index time), and the CLI says so in a Note and in --json."""
    _dst_project(tmp_path, {"time_based_data_adjustment": dst("duplicate")})
    stamps = pd.date_range(*YEAR_2018, freq="h")
    frame = pd.DataFrame(
        [(g, "m1", t.isoformat(sep=" "), 1.0) for g in ZONES for t in stamps],
        columns=["geography", "metric", "timestamp", "value"],
    )
    frame.to_csv(tmp_path / "load_data.csv", index=False)
    time = {**datetime_dim([YEAR_2018]), "description": "hours"}
    layout = {"table_format": "one_table", "value_format": "stacked",
              "data_file": {"path": "load_data.csv"}}  # fmt: skip
    dataset = {"dataset_id": "dst_ds", "dataset_type": "modeled", "data_classification": "low",
               "trivial_dimensions": list(SINGLE), "dimensions": _dims("dstd", time),
               "data_layout": layout}  # fmt: skip
    (tmp_path / "dataset.json5").write_text(json.dumps(dataset))
    reg = tmp_path / "reg"
    assert dsgrid("registry", "create", reg).exit_code == 0
    done = dsgrid(
        "registry", "projects", "register", tmp_path / "project.json5", "-l", "p", registry=reg
    )
    assert done.exit_code == 0, done
    result = dsgrid(
        "registry", "projects", "register-and-submit-dataset", "-c", tmp_path / "dataset.json5",
        "-p", "dst_project", "-l", "x", registry=reg, as_json=True,
    )  # fmt: skip
    assert result.exit_code == 0, result
    said = "daylight_saving_adjustment does not apply to datetime time"
    assert f"Note: submission of dst_ds to dst_project: time_based_data_adjustment.{said}" in (
        result.stderr
    )
    assert any(said in n for n in result.json()["notices"])


def test_datetime_dataset_wrapped_around_the_project_year_is_submitted_and_queried(
    dsgrid, tmp_path
):
    """Hourly 2018 in CST (Etc/GMT+6) for an EST project with wrap_time_allowed: the data's
    last hour lies past the project's year and, as dsgrid wraps it, takes the project's first
    hour. Submitted, then queried hour by hour: every project hour once, values placed as
    pandas places them."""
    from dsgrid_core.query.run import parse_query, run_query
    from dsgrid_core.registry.registry import Registry

    _dst_project(tmp_path, {"wrap_time_allowed": True})
    stamps = pd.date_range("2018-01-01 00:00", "2018-12-31 23:00", freq="h", tz="Etc/GMT+6")
    data = pd.DataFrame(
        [(g, "m1", t.tz_convert("UTC"), level(g, k))
         for g in ZONES for k, t in enumerate(stamps)],
        columns=["geography", "metric", "timestamp", "value"],
    )  # fmt: skip
    data.to_parquet(tmp_path / "load_data.parquet", index=False)
    time = {**datetime_dim([YEAR_2018], zone="Etc/GMT+6"), "description": "hours"}
    reg = _register_dst_dataset(dsgrid, tmp_path, time, "load_data.parquet")
    query = {
        "name": "wrapped",
        "project": {
            "project_id": "dst_project",
            "dataset": {"dataset_id": "wrapped", "source_datasets": [{"dataset_id": "dst_ds"}]},
        },
        "result": {
            "column_type": "dimension_types",
            "aggregations": [{"dimensions": {"geography": ["dstp geography"],
                                             "metric": ["dstp metric"], "time": ["dstp time"]}}],
        },
    }  # fmt: skip
    with Registry(reg, read_only=True) as registry:
        table = run_query(registry, parse_query(query), use_cache=False).table.to_pandas()
    # independent: instants past the project's last hour (EST) move back by its 8,760 hours
    last = pd.Timestamp("2018-12-31 23:00", tz="Etc/GMT+5").tz_convert("UTC")
    moved = data["timestamp"].where(
        data["timestamp"] <= last, data["timestamp"] - pd.Timedelta(hours=8760)
    )
    expected = data.assign(timestamp=moved)[["geography", "metric", "timestamp", "value"]]
    assert (moved != data["timestamp"]).sum() == len(ZONES)  # one hour per geography wraps
    got = table.sort_values(["geography", "timestamp"]).reset_index(drop=True)
    expected = expected.sort_values(["geography", "timestamp"]).reset_index(drop=True)
    assert len(got) == len(expected) == 8760 * len(ZONES)
    assert list(got["timestamp"]) == list(expected["timestamp"])
    assert got["value"].to_numpy() == pytest.approx(expected["value"].to_numpy(), rel=1e-12)
