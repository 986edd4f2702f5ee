"""The query filter types: one class per ``filter_type`` of a dimension filter, registered in
one table (``FILTER_TYPES``), after datasette's ``Filter`` classes.

A filter type is one object holding the three things that make it: its model (the pydantic
class of ``dsgrid_core.config.query``, the file format and the one source of its fields,
defaults, discriminator, messages and generated docs), the SQL condition it puts on a
dimension's records (a sqlglot tree: ``FilterType.match``; values enter as literals, column
names as quoted identifiers, ``expression_raw`` text is parsed and checked, never pasted) and
its wording in messages (``FilterType.text``, ``describe``). What every type shares (``negate``,
evaluating the condition over the records, mapping a supplemental dimension's records to base
ids, refusing a filter that selects nothing) is the base class's (``filter_types.base``); the
record helpers and what a filter resolves to (``IdCondition``, ``TimeCondition``) are
``query.filters``'. A type that is not a condition on records (``subset``) or that can filter
time (``expression``, ``between_column_operator``) overrides ``resolve`` or
``time_condition``.

Why the SQL is not a method of the model: ``dsgrid_core.config`` sits below the query layer,
loads without sqlglot (a cached query is answered without it) and may not import the query
modules a filter needs to resolve (the project's records, subsets and supplemental mappings,
the records' evaluation in DuckDB). So the model stays the file format alone and its type here
names it (``model``); a filter is dispatched by its model's class through the table, not by a
chain of isinstance tests.

A new filter type: its model in ``dsgrid_core.config.query`` (a member of the
``DimensionFilter`` union), one class here (a module with a ``FilterType`` subclass, listed in
``FILTER_TYPES``) and one test in ``tests/unit/test_filter_types.py``, which also checks that
the table and the union name the same models.
"""

from __future__ import annotations

from typing import Any

from dsgrid_core.query.filter_types.base import FilterType
from dsgrid_core.query.filter_types.between import BetweenColumnOperatorType
from dsgrid_core.query.filter_types.column_operator import ColumnOperatorType
from dsgrid_core.query.filter_types.expression import ExpressionType
from dsgrid_core.query.filter_types.expression_raw import ExpressionRawType
from dsgrid_core.query.filter_types.subset import SubsetType
from dsgrid_core.query.filter_types.supplemental import SupplementalColumnOperatorType
from dsgrid_core.query.filters import IdCondition, TimeCondition

# model class -> its filter type
FILTER_TYPES: dict[type, type[FilterType]] = {
    kind.model: kind
    for kind in (
        ExpressionType,
        ExpressionRawType,
        ColumnOperatorType,
        BetweenColumnOperatorType,
        SubsetType,
        SupplementalColumnOperatorType,
    )
}


def filter_type(flt: Any) -> FilterType:
    """The filter type of a parsed filter (a model instance of the DimensionFilter union),
    holding the filter."""
    return FILTER_TYPES[type(flt)](flt)


def resolve_filter(context: Any, flt: Any, where: str) -> IdCondition | TimeCondition:
    """The base ids a filter selects (or its range of instants on time); ``where`` names the
    filter in messages (``result.dimension_filters[0]``)."""
    return filter_type(flt).resolve(context, where)


def describe(flt: Any) -> str:
    """A filter in a few words, as a message names it: ``(geography 'US States': id == 'XX')``."""
    return filter_type(flt).describe()
