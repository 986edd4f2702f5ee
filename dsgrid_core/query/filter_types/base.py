"""The base class of a filter type: one filter of a query file (its pydantic model instance)
with the SQL condition it puts on the dimension's records, its wording, and how it resolves
to the ids (or the time range) the planner reads."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from sqlglot import exp

from dsgrid_core.config.base import DsgridModel
from dsgrid_core.errors import InputError
from dsgrid_core.query.filters import (
    IdCondition,
    TimeCondition,
    record_columns,
    record_examples,
    select_records,
    some,
)

M = TypeVar("M", bound=DsgridModel)


class FilterType(Generic[M]):
    """A filter of one type. A subclass names its model (``model``, from
    ``dsgrid_core.config.query``: the file format) and says which records it matches
    (``match``: a sqlglot condition over the record columns) and how it reads (``text``);
    ``negate``, the records' evaluation, the mapping of a supplemental dimension's records to
    base ids and the refusal of a filter that selects nothing are the same for every type."""

    model: ClassVar[type[DsgridModel]]

    def __init__(self, flt: M) -> None:
        self.flt = flt

    # --- what a subclass says ------------------------------------------------------------

    def match(self, columns: list[str], where: str) -> exp.Expression:
        """The records the filter matches (before ``negate``), as a condition on the record
        columns ``columns``; ``where`` names the filter in messages."""
        raise NotImplementedError

    def text(self) -> str:
        """The condition in a few words (before ``negate``): ``id == 'XX'``."""
        raise NotImplementedError

    def time_condition(self, time_zone: str, where: str) -> TimeCondition:
        """The range of instants the filter selects on the time dimension (naive bounds are in
        ``time_zone``); most types cannot filter time."""
        raise InputError(
            f"{where}: on time, use between_column_operator or an expression with >, >=, <, <=."
        )

    # --- the same for every type ---------------------------------------------------------

    def condition(self, columns: list[str], where: str) -> exp.Expression:
        """The filter's condition on the records, ``negate`` included."""
        condition = self.match(columns, where)
        if self.flt.negate:
            condition = exp.Not(this=exp.Paren(this=condition))
        return condition

    def describe(self) -> str:
        """The filter in a few words, as a message names it: ``(geography 'US States': id ==
        'XX')``."""
        text = self.text()
        if self.flt.negate:
            text = f"not ({text})"
        return f"({self.flt.dimension_type.value} '{self.flt.dimension_name}': {text})"

    def resolve(self, context: Any, where: str) -> IdCondition | TimeCondition:
        """The base ids of the records the filter selects (or, on time, its range of
        instants); a filter that selects nothing is refused."""
        flt = self.flt
        t = flt.dimension_type.value
        if t == "time":
            return self.time_condition(context.time_zone, where)
        info, supp = context.dimension(t, flt.dimension_name)
        condition = self.condition(record_columns(info.records), where)
        selected = select_records(info.records, condition, where)
        if not selected:
            raise InputError(
                f"{where}: the filter {self.describe()} selects no record of dimension {t} "
                f"('{info.name}'); {record_examples(info.records, condition)}. A query with "
                "this filter would be empty: change its value."
            )
        if supp is not None:
            wanted = set(selected)
            selected = list(dict.fromkeys(f for f, to, _ in supp.mapping if to in wanted))
            if not selected:
                raise InputError(
                    f"{where}: the filter {self.describe()} selects {some(sorted(wanted))} of "
                    f"'{info.name}', but no record of the base dimension "
                    f"'{context.base[t].name}' maps to them. A query with this filter would be "
                    "empty: choose other records."
                )
        return IdCondition(t, selected)
