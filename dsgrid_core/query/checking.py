"""A query checked against the registry before it runs: its names resolved and its plan made,
so that a mistake is an InputError naming the file now rather than a failed job later. The
one place the CLI (`query validate`, `query run --background`) and the server's submissions
check a query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dsgrid_core.query.run import as_project_query, load_context


@dataclass(frozen=True)
class CheckedQuery:
    context: Any  # the ProjectContext: the datasets the query reads, its notices
    plan: Any  # the planner's Plan (its columns; its SQL for an engine)


def check_query(registry, query) -> CheckedQuery:
    """A parsed project or dataset query resolved and planned; DsgridError when the registry
    cannot answer it."""
    from dsgrid_core.query.planner import plan_project_query  # late: sqlglot, with the first query

    context = load_context(registry, query)
    return CheckedQuery(context, plan_project_query(context, as_project_query(query)))
