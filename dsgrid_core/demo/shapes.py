"""Hourly load shapes for the demo datasets, built with numpy from a synthetic weather year.

The shapes are not a building model; they only need to look and behave like real ones in a
viewer and in queries: heating peaks on winter mornings, cooling on summer afternoons,
commercial loads follow opening hours (weekends and 2018 federal holidays are quiet, schools
close in summer), residential loads peak in the morning and evening, exterior lighting follows
sunset. Clocks are local (each county's own time zone, daylight saving included), while the
stored timestamps are UTC. Temperatures are synthetic: a seasonal cycle per state, day-to-day
weather anomalies shared by a state, a small offset per county and a diurnal swing.

Every random draw comes from a generator seeded by (seed, state or county FIPS), so a county's
values do not depend on which other counties the scale includes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np

from dsgrid_core.demo.catalog import HOURS_PER_YEAR, PROJECT_END_USES, DatasetSpec, Subsector

# First hour of the project time dimension (2018-01-01 00:00 EST) in UTC.
START_UTC = datetime(2018, 1, 1, 5, tzinfo=UTC)

# dsgrid's legacy time-zone names, as used in the county records, to IANA zones.
DSGRID_TIME_ZONES = {
    "EasternPrevailing": "America/New_York",
    "CentralPrevailing": "America/Chicago",
    "MountainPrevailing": "America/Denver",
    "PacificPrevailing": "America/Los_Angeles",
    "USArizona": "America/Phoenix",
    "MountainStandard": "America/Phoenix",
    "EasternStandard": "Etc/GMT+5",
    "CentralStandard": "Etc/GMT+6",
    "PacificStandard": "Etc/GMT+8",
}

# Annual mean temperature and seasonal half-range (deg C) of the demo states; others default.
STATE_CLIMATE = {
    "DC": (14.5, 11.5),
    "DE": (13.5, 11.0),
    "MD": (12.8, 11.5),
    "WV": (11.5, 11.0),
    "NJ": (12.0, 12.0),
    "PA": (10.0, 12.5),
    "NY": (8.0, 13.0),
    "CT": (10.0, 12.0),
    "RI": (10.5, 11.5),
    "MA": (9.0, 12.5),
    "NH": (7.0, 13.5),
    "VT": (6.5, 14.0),
    "ME": (5.5, 14.0),
}
DEFAULT_CLIMATE = (12.0, 12.0)
LATITUDE_DEG = 41.0  # sunrise and sunset; good enough for the whole demo region

HOLIDAYS_2018 = ((1, 1), (1, 15), (2, 19), (5, 28), (7, 4), (9, 3), (11, 22), (12, 25))

# Commercial schedules: opening hour, closing hour, share of load left when closed, how busy
# weekends and holidays are relative to weekdays.
COMMERCIAL_SCHEDULES = {
    "small_office": (7.0, 18.0, 0.15, 0.08),
    "retail_standalone": (9.0, 21.0, 0.12, 0.95),
    "warehouse": (6.0, 18.0, 0.30, 0.30),
    "primary_school": (7.0, 16.0, 0.08, 0.04),
    "hospital": (6.0, 20.0, 0.70, 0.85),
}

# Subsector-specific intensity adjustments relative to the dataset's annual totals.
INTENSITY = {
    ("hospital", "heating"): 2.0,
    ("hospital", "water"): 3.0,
    ("hospital", "interior_equipment"): 2.0,
    ("hospital", "refrigeration"): 1.5,
    ("hospital", "interior_lighting"): 1.5,
    ("warehouse", "interior_lighting"): 0.7,
    ("warehouse", "interior_equipment"): 0.4,
    ("warehouse", "heating"): 0.8,
    ("warehouse", "fans"): 0.6,
    ("retail_standalone", "interior_lighting"): 1.4,
    ("retail_standalone", "refrigeration"): 1.6,
    ("primary_school", "cooling"): 0.7,
    ("primary_school", "water"): 1.2,
    ("primary_school", "interior_equipment"): 0.6,
    ("multifamily_5_plus_units", "heating"): 0.8,
    ("mobile_home", "cooling"): 1.2,
}

# Multiply energy in MWh / MBtu to get the end use's unit.
UNIT_FACTORS = {"MWh": 1.0, "kWh": 1000.0, "MBtu": 1.0, "therm": 10.0}


@cache
def timestamps_us() -> np.ndarray:
    """UTC timestamps of the project time dimension, as microseconds since the epoch."""
    start = int(START_UTC.timestamp()) * 1_000_000
    return start + np.arange(HOURS_PER_YEAR, dtype=np.int64) * 3_600_000_000


@cache
def local_clock(time_zone: str) -> dict[str, np.ndarray]:
    """Local hour, standard-time hour, day of year and day type for each stored hour."""
    zone = ZoneInfo(DSGRID_TIME_ZONES.get(time_zone, time_zone))
    hour = np.empty(HOURS_PER_YEAR)
    std_hour = np.empty(HOURS_PER_YEAR)
    doy = np.empty(HOURS_PER_YEAR)
    off_day = np.zeros(HOURS_PER_YEAR, dtype=bool)
    holidays = set(HOLIDAYS_2018)
    for i in range(HOURS_PER_YEAR):
        local = (START_UTC + timedelta(hours=i)).astimezone(zone)
        dst = local.dst() or timedelta(0)
        hour[i] = local.hour
        std_hour[i] = (local.hour - dst.total_seconds() / 3600.0) % 24
        doy[i] = local.timetuple().tm_yday
        off_day[i] = local.weekday() >= 5 or (local.month, local.day) in holidays
    return {"hour": hour, "std_hour": std_hour, "doy": doy, "off_day": off_day}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _bump(hour: np.ndarray, center: float, width: float) -> np.ndarray:
    """Gaussian bump on the 24-hour circle."""
    d = (hour - center + 12.0) % 24.0 - 12.0
    return np.exp(-0.5 * (d / width) ** 2)


@cache
def darkness(time_zone: str) -> np.ndarray:
    """1 at night, 0 in daylight, with a smooth twilight."""
    clock = local_clock(time_zone)
    decl = np.radians(23.44) * np.sin(2 * np.pi * (clock["doy"] - 81) / 365.0)
    cos_h = -np.tan(np.radians(LATITUDE_DEG)) * np.tan(decl)
    half_day = np.degrees(np.arccos(np.clip(cos_h, -1, 1))) / 15.0
    h = clock["std_hour"] + 0.5
    day = _sigmoid((h - (12 - half_day)) / 0.4) * _sigmoid(((12 + half_day) - h) / 0.4)
    return 1.0 - day


@cache
def winter(time_zone: str) -> np.ndarray:
    """1 in late January, 0 in late July."""
    return 0.5 * (1 + np.cos(2 * np.pi * (local_clock(time_zone)["doy"] - 20) / 365.0))


@cache
def commercial_occupancy(time_zone: str, subsector: str) -> np.ndarray:
    open_h, close_h, base, off_day_factor = COMMERCIAL_SCHEDULES[subsector]
    clock = local_clock(time_zone)
    h = clock["hour"] + 0.5
    window = _sigmoid((h - open_h) / 0.6) * _sigmoid((close_h - h) / 0.6)
    day = np.where(clock["off_day"], off_day_factor, 1.0)
    if subsector == "primary_school":
        vacation = (clock["doy"] >= 172) & (clock["doy"] <= 243)
        day = np.where(vacation, 0.1 * day, day)
    return base + (1 - base) * window * day


@cache
def residential_activity(time_zone: str) -> np.ndarray:
    clock = local_clock(time_zone)
    h = clock["hour"] + 0.5
    weekday = 0.3 + 0.45 * _bump(h, 7.0, 1.2) + 0.15 * _bump(h, 12.5, 3.0)
    weekday += 0.75 * _bump(h, 19.5, 2.2)
    weekend = 0.3 + 0.45 * _bump(h, 9.0, 1.8) + 0.35 * _bump(h, 13.5, 3.0)
    weekend += 0.7 * _bump(h, 19.0, 2.5)
    return np.where(clock["off_day"], weekend, weekday)


def state_temperature(state: str, state_key: int, time_zone: str, seed: int) -> np.ndarray:
    """Hourly dry-bulb temperature (deg C) shared by the counties of one state."""
    mean, half_range = STATE_CLIMATE.get(state, DEFAULT_CLIMATE)
    rng = np.random.default_rng([seed, 1, state_key])
    clock = local_clock(time_zone)
    days = HOURS_PER_YEAR // 24 + 2
    anomaly = np.empty(days)
    anomaly[0] = rng.normal(0, 3.0)
    shocks = rng.normal(0, 3.0 * np.sqrt(1 - 0.75**2), days)
    for d in range(1, days):
        anomaly[d] = 0.75 * anomaly[d - 1] + shocks[d]
    t_days = np.arange(HOURS_PER_YEAR) / 24.0
    weather = np.interp(t_days, np.arange(days) - 0.5, anomaly)
    seasonal = mean - half_range * np.cos(2 * np.pi * (clock["doy"] - 20) / 365.0)
    diurnal = 5.0 * np.cos(2 * np.pi * (clock["hour"] + 0.5 - 15.0) / 24.0)
    return seasonal + weather + diurnal


def _shape(
    family: str, sector: str, occ: np.ndarray, temp: np.ndarray, time_zone: str
) -> np.ndarray:
    """Unnormalised hourly shape of one end use in one subsector (non-negative)."""
    com = sector == "com"
    if family == "heating":
        hdh = np.maximum(0.0, (15.0 if com else 16.5) - temp)
        return hdh * ((0.55 + 0.45 * occ) if com else (0.75 + 0.25 * occ))
    if family == "cooling":
        cdh = np.maximum(0.0, temp - (20.0 if com else 22.0))
        if com:  # plus a little all-year cooling of internal gains while occupied
            return cdh * (0.25 + 0.75 * occ) + 0.02 * occ
        return cdh * (0.55 + 0.45 * occ)
    if family == "fans":
        load = np.maximum(0.0, 15.0 - temp) + np.maximum(0.0, temp - 20.0)
        return 0.2 + occ * (0.6 + 0.4 * load / max(load.max(), 1e-9))
    if family == "interior_lighting":
        if com:
            return 0.08 + 0.92 * occ
        return 0.05 + occ * (0.3 + 0.7 * darkness(time_zone))
    if family == "exterior_lighting":
        return 0.02 + darkness(time_zone)
    if family == "interior_equipment":
        return 0.35 + 0.65 * occ
    if family == "refrigeration":
        return np.maximum(0.6, 1.0 + 0.02 * (temp - 12.0)) * (0.9 + 0.1 * occ)
    if family == "water":
        if com:
            return (0.1 + occ) * (1.0 + 0.3 * winter(time_zone))
        h = local_clock(time_zone)["hour"] + 0.5
        draws = 0.1 + _bump(h, 7.0, 1.0) + 0.7 * _bump(h, 20.0, 2.0)
        return draws * (1.0 + 0.25 * winter(time_zone))
    if family == "plug_loads":
        return 0.45 + 0.55 * occ
    if family == "cooking":
        h = local_clock(time_zone)["hour"] + 0.5
        return 0.02 + 0.5 * _bump(h, 7.5, 0.8) + 0.3 * _bump(h, 12.0, 1.0) + _bump(h, 18.0, 1.0)
    raise ValueError(f"unknown load-shape family {family!r}")


def county_size(county_id: str, seed: int, urban: bool) -> float:
    """Relative size of a county's building stock (no population data ships with the demo)."""
    rng = np.random.default_rng([seed, 2, int(county_id)])
    return float(np.exp(rng.normal(0.0, 0.8))) * (4.0 if urban else 1.0)


def county_series(
    spec: DatasetSpec,
    subsectors: tuple[Subsector, ...],
    county_id: str,
    time_zone: str,
    temperature: np.ndarray,
    size: float,
    seed: int,
) -> np.ndarray:
    """Hourly values of every stored (subsector, end use) series of one county.

    Returns an array of shape (series, 8760) ordered by subsector, then end use, skipping the
    dataset's missing (subsector, end use) pairs; values are in each end use's unit.
    """
    units = {eu.id: eu.unit for eu in PROJECT_END_USES}
    missing = set(spec.missing_subsector_metric)
    rng = np.random.default_rng([seed, 3, int(county_id), 0 if spec.sector == "com" else 1])
    county_temp = temperature + rng.normal(0.0, 0.6)
    rows = []
    scales = []
    for sub in subsectors:
        if spec.sector == "com":
            occ = commercial_occupancy(time_zone, sub.id)
        else:
            occ = residential_activity(time_zone)
        for eu in spec.end_uses:
            if (sub.id, eu.id) in missing:
                continue
            shape = _shape(eu.shape, spec.sector, occ, county_temp, time_zone)
            rows.append(shape / shape.sum())
            scales.append(
                eu.annual
                * sub.weight
                * INTENSITY.get((sub.id, eu.shape), 1.0)
                * UNIT_FACTORS[units[eu.project_id]]
            )
    values = np.vstack(rows)
    combo_factor = np.exp(rng.normal(0.0, 0.15, len(rows)))
    values *= (np.asarray(scales) * combo_factor * size)[:, None]
    values *= np.exp(rng.normal(0.0, 0.05, values.shape))
    return values
