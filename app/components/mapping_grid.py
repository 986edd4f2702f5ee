"""The editable grid of mapping rows that the mapping and submission wizards share, and its
rows from an uploaded mapping CSV."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag

from app.components.wizard_uploads import stored_path
from dsgrid_core import mapping_edit
from dsgrid_core.errors import InputError


def uploaded_rows(entry: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    """The grid's rows from an uploaded mapping CSV, or no rows and the reason."""
    try:
        path = stored_path(entry)
    except InputError as exc:
        return [], exc.message
    return mapping_edit.rows_from_csv(path, entry["name"])


def mapping_grid(grid_id, height: int = 380) -> dag.AgGrid:
    """Editable mapping rows (client side): to_id and from_fraction (and from_id for added
    rows); each row's problems in its last column, the row tinted while it has any."""
    return dag.AgGrid(
        id=grid_id,
        rowData=[],
        columnDefs=[
            {"field": "from_id", "headerName": "from_id", "editable": True, "minWidth": 190},
            {"field": "to_id", "headerName": "to_id", "editable": True, "minWidth": 170},
            {
                "field": "from_fraction",
                "headerName": "from_fraction",
                "editable": True,
                "cellEditor": "agNumberCellEditor",
                "maxWidth": 130,
            },
            {"field": "match", "headerName": "guessed from", "maxWidth": 150},
            {
                "field": "problem",
                "headerName": "problem",
                "flex": 2,
                "wrapText": True,
                "autoHeight": True,
                "cellStyle": {"color": "#b02a37", "lineHeight": "1.3"},
            },
        ],
        defaultColDef={"resizable": True, "sortable": True, "flex": 1, "cellDataType": False},
        getRowId="params.data.row",
        getRowStyle={
            "styleConditions": [
                {"condition": "params.data.problem", "style": {"backgroundColor": "#f8d7da"}}
            ]
        },
        dashGridOptions={"singleClickEdit": True, "stopEditingWhenCellsLoseFocus": True},
        style={"height": f"{height}px", "width": "100%"},
    )
