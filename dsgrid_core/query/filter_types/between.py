"""``between_column_operator``: ``column BETWEEN lower_bound AND upper_bound`` (both bounds
included); on time, the range of instants between the bounds."""

from __future__ import annotations

from sqlglot import exp

from dsgrid_core.config.query import BetweenColumnOperatorFilter
from dsgrid_core.query.filter_types.base import FilterType
from dsgrid_core.query.filters import (
    TimeCondition,
    check_column,
    literal,
    parse_time,
    record_column,
)


class BetweenColumnOperatorType(FilterType[BetweenColumnOperatorFilter]):
    model = BetweenColumnOperatorFilter

    def match(self, columns: list[str], where: str) -> exp.Expression:
        flt = self.flt
        check_column(flt.column, columns, where)
        return exp.Between(
            this=record_column(flt.column),
            low=literal(flt.lower_bound),
            high=literal(flt.upper_bound),
        )

    def text(self) -> str:
        flt = self.flt
        return f"{flt.column} between {flt.lower_bound!r} and {flt.upper_bound!r}"

    def time_condition(self, time_zone: str, where: str) -> TimeCondition:
        flt = self.flt
        return TimeCondition(
            parse_time(flt.lower_bound, time_zone, where),
            parse_time(flt.upper_bound, time_zone, where),
            flt.negate,
        )
