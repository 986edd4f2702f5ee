"""The query filter types (dsgrid_core.query.filter_types), one test per type: its SQL
condition evaluated by DuckDB over a small table of records gives the records a pandas
computation selects, it resolves to the same base ids, and it reads as messages name it.

A new filter type adds its test here; test_the_table_and_the_union_name_the_same_models
fails until its class is in FILTER_TYPES."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import get_args

import duckdb
import pandas as pd
import pytest
from sqlglot import exp

from dsgrid_core.config.query import DatasetParams, DimensionFilter
from dsgrid_core.errors import InputError
from dsgrid_core.query.context_types import DimensionInfo, ProjectContext, SupplementalInfo
from dsgrid_core.query.filter_types import FILTER_TYPES, describe, filter_type, resolve_filter
from dsgrid_core.query.filters import IdCondition, TimeCondition

COUNTIES = pd.DataFrame(
    {
        "id": ["06037", "06073", "06075", "48201", "36061", "36047"],
        "state": ["CA", "CA", "CA", "TX", "NY", "NY"],
        "name": ["Los Angeles", "San Diego", "San_Francisco", "Harris", "100% New York", None],
    }
)
STATES = pd.DataFrame({"id": ["CA", "TX", "NY", "WA"], "name": ["California", "Texas", "NY", "W"]})
WHERE = "result.dimension_filters[0]"


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for _, row in frame.iterrows()]


def _context() -> ProjectContext:
    counties = DimensionInfo("geography", "counties", "1.0.0", "US Counties", _records(COUNTIES))
    states = DimensionInfo("geography", "states", "1.0.0", "US States", _records(STATES))
    mapping = [(c, s, 1.0) for c, s in zip(COUNTIES.id, COUNTIES.state, strict=True)]
    return ProjectContext(
        project_id="p",
        version="1.0.0",
        base={"geography": counties},
        supplemental=[SupplementalInfo(states, "county_to_state", "1.0.0", mapping)],
        subsets={
            "regions": {
                "type": "geography",
                "selectors": {"west": ["06037", "06073"], "south": ["48201"], "none": []},
            },
            "coasts": {"type": "geography", "selectors": {"east": ["36061", "36047", "06037"]}},
        },
        time=SimpleNamespace(time_zone="America/New_York"),
    )


def _filter(**fields):
    """A filter as a query file gives it (parsed by the DimensionFilter union)."""
    return DatasetParams(dimension_filters=[fields]).dimension_filters[0]


def _on_duckdb(frame: pd.DataFrame, condition: exp.Expression) -> list[str]:
    """The ids of ``frame`` (as the table ``records``) that ``condition`` selects."""
    sql = exp.select(exp.column("id", quoted=True)).from_("records").where(condition)
    con = duckdb.connect()
    try:
        con.register("records", frame)
        return sorted(row[0] for row in con.execute(sql.sql("duckdb")).fetchall())
    finally:
        con.close()


def _check(flt, frame: pd.DataFrame, expected_mask: pd.Series, base_ids=None) -> None:
    """The filter's condition on DuckDB selects what pandas does, and it resolves to those
    base ids (``base_ids``: the base records mapped to them, for a supplemental dimension)."""
    expected = sorted(frame.id[expected_mask.eq(True)])  # NULL: not selected, as in SQL
    assert expected, "a case that selects nothing checks little"
    condition = filter_type(flt).condition(list(frame.columns), WHERE)
    assert _on_duckdb(frame, condition) == expected
    resolved = resolve_filter(_context(), flt, WHERE)
    assert isinstance(resolved, IdCondition) and resolved.column == "geography"
    assert sorted(resolved.ids) == sorted(base_ids if base_ids is not None else expected)


def _counties_in(states: list[str]) -> list[str]:
    return list(COUNTIES.id[COUNTIES.state.isin(states)])


GEO = {"dimension_type": "geography", "dimension_name": "US Counties"}
TIME = {"dimension_type": "time", "dimension_name": "hourly"}


def test_the_table_and_the_union_name_the_same_models():
    """Every filter model of the file format has exactly one filter type, and nothing more."""
    union = get_args(get_args(DimensionFilter)[0])
    assert set(FILTER_TYPES) == set(union)
    assert len(FILTER_TYPES) == len(union)
    for model, kind in FILTER_TYPES.items():
        assert kind.model is model


# --- one test per filter type --------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "mask", "wording"),
    [
        (
            {"column": "state", "operator": "==", "value": "CA"},
            COUNTIES.state == "CA",
            "(geography 'US Counties': state == 'CA')",
        ),
        (
            {"operator": ">=", "value": "36047"},
            COUNTIES.id >= "36047",
            "(geography 'US Counties': id >= '36047')",
        ),
        (
            {"column": "state", "operator": "!=", "value": "CA", "negate": True},
            ~(COUNTIES.state != "CA"),
            "(geography 'US Counties': not (state != 'CA'))",
        ),
    ],
)
def test_expression(fields, mask, wording):
    flt = _filter(**GEO, filter_type="expression", **fields)
    _check(flt, COUNTIES, mask)
    assert describe(flt) == wording


def test_expression_on_time_is_one_bound():
    flt = _filter(**TIME, filter_type="expression", operator=">", value="2012-01-01 00:00:00")
    cond = resolve_filter(_context(), flt, WHERE)
    assert cond == TimeCondition(datetime(2012, 1, 1, 5, tzinfo=UTC), None, lower_strict=True)
    flt = _filter(**TIME, filter_type="expression", operator="<=", value="2012-01-02T00:00Z")
    cond = resolve_filter(_context(), flt, WHERE)
    assert cond == TimeCondition(None, datetime(2012, 1, 2, tzinfo=UTC))
    with pytest.raises(InputError, match="on time, use between_column_operator"):
        resolve_filter(_context(), _filter(**TIME, filter_type="expression", value="x"), WHERE)


@pytest.mark.parametrize(
    ("fields", "mask", "wording"),
    [
        (  # dsgrid's (column value)
            {"column": "state", "value": "in ('CA', 'NY')"},
            COUNTIES.state.isin(["CA", "NY"]),
            "(geography 'US Counties': in ('CA', 'NY'))",
        ),
        (  # a whole condition (our addition)
            {"value": "state = 'TX' OR name LIKE 'San%'"},
            (COUNTIES.state == "TX") | COUNTIES.name.str.startswith("San"),
            "(geography 'US Counties': state = 'TX' OR name LIKE 'San%')",
        ),
        (
            {"value": "== '06037'", "negate": True},
            COUNTIES.id != "06037",
            "(geography 'US Counties': not (== '06037'))",
        ),
    ],
)
def test_expression_raw(fields, mask, wording):
    flt = _filter(**GEO, filter_type="expression_raw", **fields)
    _check(flt, COUNTIES, mask)
    assert describe(flt) == wording


def test_expression_raw_is_parsed_not_pasted():
    flt = _filter(**GEO, filter_type="expression_raw", value="id IN (SELECT id FROM x)")
    with pytest.raises(InputError, match="SUBQUERY, which is not allowed"):
        filter_type(flt).condition(list(COUNTIES.columns), WHERE)


@pytest.mark.parametrize(
    ("fields", "mask", "wording"),
    [
        (
            {"operator": "isin", "value": ["06037", "48201"]},
            COUNTIES.id.isin(["06037", "48201"]),
            "(geography 'US Counties': id isin ['06037', '48201'])",
        ),
        (
            {"column": "name", "operator": "like", "value": "San%"},
            COUNTIES.name.str.startswith("San"),
            "(geography 'US Counties': name like 'San%')",
        ),
        (  # _ and % are letters here, not wildcards
            {"column": "name", "operator": "startswith", "value": "San_"},
            COUNTIES.name.str.startswith("San_"),
            "(geography 'US Counties': name startswith 'San_')",
        ),
        (
            {"column": "name", "operator": "endswith", "value": "ris"},
            COUNTIES.name.str.endswith("ris"),
            "(geography 'US Counties': name endswith 'ris')",
        ),
        (
            {"column": "name", "operator": "contains", "value": "0%"},
            COUNTIES.name.str.contains("0%", regex=False),
            "(geography 'US Counties': name contains '0%')",
        ),
        (
            {"column": "name", "operator": "rlike", "value": "^[HL]"},
            COUNTIES.name.str.contains("^[HL]", regex=True),
            "(geography 'US Counties': name rlike '^[HL]')",
        ),
        (
            {"column": "name", "operator": "eqNullSafe", "value": None},
            COUNTIES.name.isna(),
            "(geography 'US Counties': name eqNullSafe None)",
        ),
        (
            {"column": "name", "operator": "isNull"},
            COUNTIES.name.isna(),
            "(geography 'US Counties': name isNull)",
        ),
        (
            {"column": "name", "operator": "isNotNull"},
            COUNTIES.name.notna(),
            "(geography 'US Counties': name isNotNull)",
        ),
        (
            {"column": "state", "operator": "startswith", "value": "C", "negate": True},
            ~COUNTIES.state.str.startswith("C"),
            "(geography 'US Counties': not (state startswith 'C'))",
        ),
    ],
)
def test_column_operator(fields, mask, wording):
    flt = _filter(**GEO, filter_type="column_operator", **fields)
    _check(flt, COUNTIES, mask)
    assert describe(flt) == wording


@pytest.mark.parametrize(
    ("fields", "mask", "wording"),
    [
        (
            {"lower_bound": "06040", "upper_bound": "36061"},
            COUNTIES.id.between("06040", "36061"),
            "(geography 'US Counties': id between '06040' and '36061')",
        ),
        (
            {"column": "state", "lower_bound": "CA", "upper_bound": "NY", "negate": True},
            ~COUNTIES.state.between("CA", "NY"),
            "(geography 'US Counties': not (state between 'CA' and 'NY'))",
        ),
    ],
)
def test_between_column_operator(fields, mask, wording):
    flt = _filter(**GEO, filter_type="between_column_operator", **fields)
    _check(flt, COUNTIES, mask)
    assert describe(flt) == wording


def test_between_column_operator_on_time_is_a_range():
    flt = _filter(
        **TIME,
        filter_type="between_column_operator",
        lower_bound="2012-01-01 00:00:00",
        upper_bound="2012-01-31 23:00:00+00:00",
        negate=True,
    )
    cond = resolve_filter(_context(), flt, WHERE)
    assert cond == TimeCondition(
        datetime(2012, 1, 1, 5, tzinfo=UTC), datetime(2012, 1, 31, 23, tzinfo=UTC), negate=True
    )


def test_subset():
    """The ids of the selectors, in order, once each: what the subsets list."""
    flt = _filter(
        filter_type="subset", dimension_type="geography", dimension_names=["east", "west"]
    )
    cond = resolve_filter(_context(), flt, WHERE)
    subsets = _context().subsets
    expected = pd.Series(
        subsets["coasts"]["selectors"]["east"] + subsets["regions"]["selectors"]["west"]
    ).drop_duplicates()
    assert cond == IdCondition("geography", list(expected))
    assert describe(flt) == "(geography: subset east, west)"
    flt = _filter(filter_type="subset", dimension_type="geography", dimension_names=["nowhere"])
    with pytest.raises(InputError, match="no subset selector 'nowhere' for geography"):
        resolve_filter(_context(), flt, WHERE)
    flt = _filter(filter_type="subset", dimension_type="geography", dimension_names=["none"])
    with pytest.raises(InputError, match=r"\(geography: subset none\) selects no record"):
        resolve_filter(_context(), flt, WHERE)


@pytest.mark.parametrize(
    ("fields", "mask", "wording"),
    [
        (
            {"operator": "isin", "value": ["CA", "TX"]},
            STATES.id.isin(["CA", "TX"]),
            "(geography 'US States': id isin ['CA', 'TX'])",
        ),
        (  # dsgrid's default: every state (WA maps no county)
            {},
            STATES.id.notna(),
            "(geography 'US States': id like '%')",
        ),
        (
            {"column": "name", "operator": "contains", "value": "xa", "negate": True},
            ~STATES.name.str.contains("xa", regex=False),
            "(geography 'US States': not (name contains 'xa'))",
        ),
    ],
)
def test_supplemental_column_operator(fields, mask, wording):
    flt = _filter(
        filter_type="supplemental_column_operator",
        dimension_type="geography",
        dimension_name="US States",
        **fields,
    )
    _check(flt, STATES, mask, base_ids=_counties_in(list(STATES.id[mask])))
    assert describe(flt) == wording


# --- what every type shares ------------------------------------------------------------------


def test_a_filter_selecting_nothing_is_refused_naming_it():
    flt = _filter(**GEO, filter_type="expression", column="state", value="ZZ")
    with pytest.raises(InputError) as caught:
        resolve_filter(_context(), flt, WHERE)
    assert str(caught.value) == (
        f"{WHERE}: the filter (geography 'US Counties': state == 'ZZ') selects no record of "
        "dimension geography ('US Counties'); its 6 records have state values like CA, TX, NY. "
        "A query with this filter would be empty: change its value."
    )
    flt = _filter(
        filter_type="supplemental_column_operator",
        dimension_type="geography",
        dimension_name="US States",
        operator="isin",
        value=["WA"],
    )
    with pytest.raises(InputError, match="selects WA of 'US States', but no record of the base"):
        resolve_filter(_context(), flt, WHERE)


def test_only_expression_and_between_filter_time():
    flt = _filter(**TIME, filter_type="column_operator", operator="isin", value=["x"])
    with pytest.raises(InputError, match="on time, use between_column_operator"):
        resolve_filter(_context(), flt, WHERE)
