"""The CLI's lists of components: the latest versions with the fields `GET /api/v1/<kind>s`
gives them (``class`` and ``status``, see `dsgrid_core.browse.facets`)."""

from __future__ import annotations

from typing import Any

from dsgrid_core.browse.facets import annotate


def listed(
    registry, kind: str, *, type: str | None = None, name: str | None = None, text=None
) -> list[dict[str, Any]]:
    rows = [s.to_dict() for s in registry.list(kind, type=type, name=name, text=text)]
    return annotate(registry, kind, rows)
