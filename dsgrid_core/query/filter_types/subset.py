"""``subset``: the records of project subset selectors (dsgrid's subset dimensions), by
selector name; no condition on the records, the selectors list the base ids."""

from __future__ import annotations

from typing import Any

from dsgrid_core.config.query import SubsetFilter
from dsgrid_core.errors import InputError
from dsgrid_core.query.filter_types.base import FilterType
from dsgrid_core.query.filters import IdCondition


class SubsetType(FilterType[SubsetFilter]):
    model = SubsetFilter

    def text(self) -> str:
        return f"subset {', '.join(self.flt.dimension_names)}"

    def describe(self) -> str:
        return f"({self.flt.dimension_type.value}: {self.text()})"

    def resolve(self, context: Any, where: str) -> IdCondition:
        t = self.flt.dimension_type.value
        selectors = {
            selector: subset
            for subset in context.subsets.values()
            if subset["type"] == t
            for selector in subset["selectors"]
        }
        ids: list[str] = []
        for name in self.flt.dimension_names:
            if name not in selectors:
                raise InputError(
                    f"{where}: no subset selector '{name}' for {t}; known: "
                    f"{', '.join(selectors) or 'none'}."
                )
            ids += selectors[name]["selectors"][name]
        if not ids:
            raise InputError(
                f"{where}: the filter {self.describe()} selects no record of dimension {t}: "
                "its subset selectors are empty. A query with this filter would be empty."
            )
        return IdCondition(t, list(dict.fromkeys(ids)))
