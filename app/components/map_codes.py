"""Which US states or counties the values of a geography column are, for a map: 2-letter state
codes, state names, or 5-digit county FIPS codes, directly or through the dimension's records
(an id whose name is a state, a name whose id is a FIPS code)."""

from __future__ import annotations

import re

US_STATES = {
    "Alabama": "AL",
    "Alaska": "AK",
    "Arizona": "AZ",
    "Arkansas": "AR",
    "California": "CA",
    "Colorado": "CO",
    "Connecticut": "CT",
    "Delaware": "DE",
    "District of Columbia": "DC",
    "Florida": "FL",
    "Georgia": "GA",
    "Hawaii": "HI",
    "Idaho": "ID",
    "Illinois": "IL",
    "Indiana": "IN",
    "Iowa": "IA",
    "Kansas": "KS",
    "Kentucky": "KY",
    "Louisiana": "LA",
    "Maine": "ME",
    "Maryland": "MD",
    "Massachusetts": "MA",
    "Michigan": "MI",
    "Minnesota": "MN",
    "Mississippi": "MS",
    "Missouri": "MO",
    "Montana": "MT",
    "Nebraska": "NE",
    "Nevada": "NV",
    "New Hampshire": "NH",
    "New Jersey": "NJ",
    "New Mexico": "NM",
    "New York": "NY",
    "North Carolina": "NC",
    "North Dakota": "ND",
    "Ohio": "OH",
    "Oklahoma": "OK",
    "Oregon": "OR",
    "Pennsylvania": "PA",
    "Rhode Island": "RI",
    "South Carolina": "SC",
    "South Dakota": "SD",
    "Tennessee": "TN",
    "Texas": "TX",
    "Utah": "UT",
    "Vermont": "VT",
    "Virginia": "VA",
    "Washington": "WA",
    "West Virginia": "WV",
    "Wisconsin": "WI",
    "Wyoming": "WY",
}
STATE_CODES = frozenset(US_STATES.values())
_STATE_BY_NAME = {name.lower(): code for name, code in US_STATES.items()}
_FIPS = re.compile(r"^\d{5}$")


def _names_and_ids(records: list[dict] | None) -> tuple[dict[str, str], dict[str, str]]:
    """id -> name, and name -> id for names that only one record has."""
    by_id = {str(r["id"]): str(r.get("name") or r["id"]) for r in records or []}
    counts: dict[str, int] = {}
    for name in by_id.values():
        counts[name] = counts.get(name, 0) + 1
    by_name = {name: i for i, name in by_id.items() if counts[name] == 1}
    return by_id, by_name


def _candidates(value: str, by_id: dict[str, str], by_name: dict[str, str]) -> list[str]:
    out = [value]
    if value in by_name:
        out.append(by_name[value])
    if value in by_id:
        out.append(by_id[value])
    return out


def state_codes(values, records: list[dict] | None = None) -> dict[str, str] | None:
    """value -> 2-letter state code for every value (ids or names that are codes or state
    names, directly or through the records); None when one of them is not a state."""
    by_id, by_name = _names_and_ids(records)
    out = {}
    for value in values:
        value = str(value)
        for candidate in _candidates(value, by_id, by_name):
            if candidate.upper() in STATE_CODES and len(candidate) == 2:
                out[value] = candidate.upper()
                break
            if candidate.lower() in _STATE_BY_NAME:
                out[value] = _STATE_BY_NAME[candidate.lower()]
                break
        else:
            return None
    return out or None


def county_codes(values, records: list[dict] | None = None) -> dict[str, str] | None:
    """value -> 5-digit county FIPS code for every value; None when one is not."""
    by_id, by_name = _names_and_ids(records)
    out = {}
    for value in values:
        value = str(value)
        code = next((c for c in _candidates(value, by_id, by_name) if _FIPS.match(c)), None)
        if code is None:
            return None
        out[value] = code
    return out or None
