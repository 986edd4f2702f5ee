"""A grid's filters and sort as the API's query parameters (the page URL's words) and back:
what AG Grid's filter and sort models say, written out by hand."""

from __future__ import annotations

from app.grid import grid_state, query_params, sorted_columns


def test_text_number_blank_and_or_filters_become_api_parameters():
    model = {
        "name": {"filterType": "text", "type": "contains", "filter": "Co"},
        "from_fraction": {
            "filterType": "number",
            "operator": "AND",
            "conditions": [
                {"filterType": "number", "type": "greaterThan", "filter": 0.25},
                {"filterType": "number", "type": "lessThanOrEqual", "filter": 1.0},
            ],
        },
        "state": {
            "filterType": "text",
            "operator": "OR",
            "conditions": [
                {"filterType": "text", "type": "equals", "filter": "CA"},
                {"filterType": "text", "type": "startsWith", "filter": "T"},
            ],
        },
        "time_zone": {"filterType": "text", "type": "blank"},
        "ignored": {"filterType": "text", "type": "contains", "filter": ""},
    }
    sort = [{"colId": "state", "sort": "desc"}, {"colId": "id", "sort": "asc"}]
    assert query_params(model, sort) == [
        ("filter", "name:contains:Co"),
        ("filter", "from_fraction:gt:0.25"),
        ("filter", "from_fraction:lte:1"),
        ("any", "1:state:exact:CA"),
        ("any", "1:state:startswith:T"),
        ("filter", "time_zone:blank"),
        ("sort", "-state,id"),
    ]
    assert query_params(None, None) == []


def test_url_parameters_give_the_grid_its_filter_model_and_sort_back():
    columns = ["id", "name", "state", "from_fraction", "time_zone"]
    model, order = grid_state(
        ["name:contains:Co", "from_fraction:gt:0.25", "from_fraction:lte:1", "time_zone:blank"],
        ["1:state:exact:CA", "1:state:startswith:T"],
        "-state,id,nope",
        columns,
        numeric=("from_fraction",),
    )
    assert model == {
        "name": {"filterType": "text", "type": "contains", "filter": "Co"},
        "from_fraction": {
            "filterType": "number",
            "operator": "AND",
            "conditions": [
                {"filterType": "number", "type": "greaterThan", "filter": 0.25},
                {"filterType": "number", "type": "lessThanOrEqual", "filter": 1.0},
            ],
        },
        "time_zone": {"filterType": "text", "type": "blank"},
        "state": {
            "filterType": "text",
            "operator": "OR",
            "conditions": [
                {"filterType": "text", "type": "equals", "filter": "CA"},
                {"filterType": "text", "type": "startsWith", "filter": "T"},
            ],
        },
    }
    assert order == [("state", True), ("id", False)]
    specs = sorted_columns([{"field": c} for c in ("id", "name", "state")], order)
    assert specs == [
        {"field": "id", "sort": "asc", "sortIndex": 1},
        {"field": "name"},
        {"field": "state", "sort": "desc", "sortIndex": 0},
    ]


def test_what_names_no_column_or_no_operator_is_left_out():
    model, order = grid_state(
        "other:contains:x", "1:name:bogus:y", ["-name", "other"], ["id", "name"]
    )
    assert model == {} and order == []
    # a value with colons keeps them; a number filter that is no number is dropped
    model, _ = grid_state(["name:exact:a:b", "n:gt:abc"], None, None, ["name", "n"], numeric=("n",))
    assert model == {"name": {"filterType": "text", "type": "equals", "filter": "a:b"}}
