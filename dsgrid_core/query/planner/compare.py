"""A comparison (``comparison`` of a project query) planned as one statement.

The query is planned twice, once per side: with a filter on the compared record (scenario,
model year, weather year), reading one of the two source datasets, or reading the compared
dataset at that side's version (``context.compared``, loaded by
``query.context.with_compared_versions``; the other datasets the same on both sides). Both
plans go into one tree: their rows, tagged by side, are stacked and grouped by the columns the
result keeps (the compared dimension's column dropped), so that each group has ``base`` and
``other`` side by side; a group one side lacks counts 0 there. Alternatives are never added
together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlglot import exp

from dsgrid_core.config.query import ExpressionFilter, ProjectQueryConfig, TableFormat
from dsgrid_core.errors import InputError
from dsgrid_core.query.context_types import ProjectContext
from dsgrid_core.query.planner.finish import ordered_page
from dsgrid_core.query.planner.outputs import OutputColumn
from dsgrid_core.query.planner.sqltree import VALUE, alias, col, data_type, subquery

BASE, OTHER, DIFFERENCE, RELATIVE = "base", "other", "difference", "relative_difference"
VALUE_COLUMNS = (BASE, OTHER, DIFFERENCE, RELATIVE)
_SIDE = "__side"


def _check_records(context: ProjectContext, query: ProjectQueryConfig) -> None:
    """Unknown records, and a dimension with nothing to compare, refused naming the field."""
    comparison = query.comparison
    if comparison.dimension in ("dataset", "dataset_version"):
        # the config model checked the datasets are sources; the context loaded the versions
        return
    dimension = context.base.get(comparison.dimension)
    if dimension is None:  # pragma: no cover - every project has the six base types
        raise InputError(f"comparison.dimension: the project has no {comparison.dimension}")
    ids = dimension.ids
    if len(ids) < 2:
        raise InputError(
            f"comparison.dimension: the project's {comparison.dimension} dimension "
            f"('{dimension.name}') has one record ({', '.join(ids)}): there are no "
            "alternatives to compare; compare another dimension or two datasets."
        )
    for side in ("base", "other"):
        record = getattr(comparison, side)
        if record not in ids:
            shown = ", ".join(ids[:12]) + (", ..." if len(ids) > 12 else "")
            raise InputError(
                f"comparison.{side}: '{record}' is not a record of the project's "
                f"{comparison.dimension} dimension ('{dimension.name}'); its records are "
                f"{shown}."
            )


def _side_query(query: ProjectQueryConfig, record: str) -> ProjectQueryConfig:
    """The query for one side: the whole result, unsorted and unpaged, without reports."""
    comparison = query.comparison
    result = query.result.model_copy(
        update={"limit": None, "offset": 0, "sort_columns": [], "reports": []}
    )
    project = query.project
    if comparison.dimension == "dataset":
        dataset = project.dataset.model_copy(
            update={
                "source_datasets": [
                    s for s in project.dataset.source_datasets if s.dataset_id == record
                ],
                "expression": None,
            }
        )
        project = project.model_copy(update={"dataset": dataset})
    elif comparison.dimension == "dataset_version":
        pass  # the same query on both sides; the side's context holds the version read
    else:
        chosen = ExpressionFilter(
            dimension_type=comparison.dimension,
            dimension_name=comparison.dimension,
            column="id",
            operator="==",
            value=record,
        )
        result = result.model_copy(
            update={"dimension_filters": [*result.dimension_filters, chosen]}
        )
    return query.model_copy(update={"project": project, "result": result, "comparison": None})


def _side_context(context: ProjectContext, query: ProjectQueryConfig, side: str, record: str):
    dimension = query.comparison.dimension
    if dimension == "dataset":
        return replace(context, datasets=[d for d in context.datasets if d.dataset_id == record])
    if dimension == "dataset_version":
        at_version = context.compared[side]
        datasets = [
            at_version if d.dataset_id == at_version.dataset_id else d for d in context.datasets
        ]
        return replace(context, datasets=datasets, compared={})
    return context


def _renamed(tree: exp.Expression, tables: dict, prefix: str):
    """The tree reading ``prefix``-named copies of its tables (aliased to the old names, so
    that qualified columns still resolve), and those tables."""

    def swap(node):
        if isinstance(node, exp.Table) and node.name in tables and not node.args.get("db"):
            old = node.name
            renamed = exp.Table(this=exp.to_identifier(prefix + old, quoted=True))
            renamed.set(
                "alias",
                node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(old, quoted=True)),
            )
            return renamed
        return node

    return tree.transform(swap), {prefix + k: v for k, v in tables.items()}


def _tagged(tree: exp.Expression, keys: list[str], side: str) -> exp.Select:
    return exp.select(
        *(col(k) for k in keys), col(VALUE), alias(exp.Literal.string(side), _SIDE)
    ).from_(subquery(tree, f"{side}_rows"))


def _case(picked: exp.If) -> exp.Case:
    return exp.Case(ifs=[picked], default=exp.Literal.number(0))


def plan_comparison(context: ProjectContext, query: ProjectQueryConfig, plan_one: Callable):
    """The Plan of a query with a comparison; ``plan_one`` plans a query without one."""
    comparison = query.comparison
    result = query.result
    if result.table_format.format_type == "pivoted":
        raise InputError(
            "result.table_format: a comparison has four value columns (base, other, "
            "difference, relative_difference) and is not pivoted; use 'stacked'."
        )
    if result.reports:
        raise InputError(
            "result.reports: a comparison has no reports; its result has base and other for "
            "each group (the peak of each is the largest of its column)."
        )
    _check_records(context, query)
    plans = []
    for side in ("base", "other"):
        record = getattr(comparison, side)
        side_context = _side_context(context, query, side, record)
        plans.append(plan_one(side_context, _side_query(query, record)))
    base_plan, other_plan = plans
    keys = [o for o in base_plan.columns if o.type != "value" and o.type != comparison.dimension]
    names = [o.name for o in keys]
    other_tree, other_tables = _renamed(other_plan.tree, other_plan.tables, "o_")
    stacked = exp.union(
        _tagged(base_plan.tree, names, BASE), _tagged(other_tree, names, OTHER), distinct=False
    )
    sums = [alias(exp.Sum(this=_case(_pick(side))), side) for side in (BASE, OTHER)]
    grouped = exp.select(*(col(n) for n in names), *sums).from_(subquery(stacked, "sides"))
    if names:
        grouped = grouped.group_by(*(col(n) for n in names))
    difference = exp.Sub(this=col(OTHER), expression=col(BASE))
    relative = exp.Case(
        ifs=[
            exp.If(
                this=exp.EQ(this=col(BASE), expression=exp.Literal.number(0)),
                true=exp.Null(),
            )
        ],
        default=exp.Div(this=exp.paren(difference.copy()), expression=col(BASE)),
    )
    compared = exp.select(
        *(col(n) for n in names),
        col(BASE),
        col(OTHER),
        alias(difference, DIFFERENCE),
        alias(exp.cast(relative, data_type("double")), RELATIVE),
    ).from_(subquery(grouped, "compared"))
    outputs = [*keys, *(OutputColumn(n, "value") for n in VALUE_COLUMNS)]
    page_result = result.model_copy(update={"table_format": TableFormat()})
    tree = ordered_page(compared, outputs, page_result)
    return replace(
        base_plan,
        tree=tree,
        tables={**base_plan.tables, **other_tables},
        columns=outputs,
        reports={},
        reports_from_result=False,
    )


def _pick(side: str) -> exp.If:
    return exp.If(
        this=exp.EQ(this=col(_SIDE), expression=exp.Literal.string(side)),
        true=exp.cast(col(VALUE), data_type("double")),
    )
