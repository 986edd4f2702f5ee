"""Every grid offers what it shows as a file and as the API's data: "CSV" and "JSON" download
links (all pages, the current filters and sort, streamed by ``/api/v1``; JSON is
newline-delimited, one object per line) and an "API" link to the same rows as JSON pages.

The links point at this server's own ``/api/v1`` in both modes: a viewer of another server's
registry (``dsgrid serve --api-url``) answers them by paging through that server.

The grid's state lives in the page URL, in the API's own words (``filter``, ``any``, ``sort``,
plus ``page``), written with ``history.replaceState`` (no new history entry, no re-render of
the page) whenever the grid asks for rows or turns a page; a page opened on such a URL hands
them back to its grid (``app.grid.grid_state``) and goes to the page once the rows are there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import Input, Output, State, clientside_callback, dcc, html, no_update

from app import ids
from app.grid import query_params

GRID_KEYS = ("filter", "any", "sort", "page")
API = "/api/v1"

JSON_TITLE = "Newline-delimited JSON (NDJSON): one JSON object per line, every matching row."


def url_page(page: str | list[str] | None) -> int | None:
    """The 0-based grid page of a page URL's ``page`` (1-based), None for the first or bad."""
    text = page[-1] if isinstance(page, list) else page
    try:
        number = int(text or 1)
    except ValueError:
        return None
    return number - 1 if number > 1 else None


def link_data(api_path: str, params: list[tuple[str, str]], keys: tuple[str, ...]) -> dict:
    """What the links of a grid are made of: the API path of its rows, the query (the page's
    filters, the grid's filters and sort) and the URL keys the page owns."""
    query = urlencode(params)
    return {"api": API + api_path, "base": query, "query": query, "keys": [*keys, *GRID_KEYS]}


def with_grid_query(data: dict[str, Any] | None, request: dict[str, Any] | None):
    """``data`` (see ``link_data``) with the filters and sort of the grid's rows request;
    no_update when the request changes nothing (the grid asked for the next block)."""
    if not data:
        return no_update
    request = request or {}
    grid = urlencode(query_params(request.get("filterModel"), request.get("sortModel")))
    query = "&".join(part for part in (data["base"], grid) if part)
    return no_update if query == data["query"] else {**data, "query": query}


def _href(data: dict[str, Any], format: str | None) -> str:
    query = data["query"]
    if format:
        query = f"{query}&format={format}" if query else f"format={format}"
    return data["api"] + (f"?{query}" if query else "")


def _links(data: dict[str, Any], link_id, titles: tuple[str, str, str]) -> list:
    """The CSV, JSON (NDJSON) and API links of ``data`` (see ``link_data``); ``link_id(what)``
    names each (csv, json, api)."""
    link = {"className": "ms-2", "target": "_blank", "rel": "noopener"}
    return [
        html.A(
            "CSV", id=link_id("csv"), href=_href(data, "csv"), download="", title=titles[0], **link
        ),
        html.A(
            "JSON",
            id=link_id("json"),
            href=_href(data, "ndjson"),
            download="",
            title=titles[1],
            **link,
        ),
        html.A("API", id=link_id("api"), href=_href(data, None), title=titles[2], **link),
    ]


def download_links(grid_id: str, data: dict[str, Any], page: int | None = None) -> html.Div:
    """The CSV, JSON and API links above a grid (see ``link_data``), and the stores that keep
    the grid's query and the page the URL asked for."""
    titles = (
        "Every matching row as CSV, in the grid's sort.",
        JSON_TITLE,
        "The same rows from the HTTP API, as JSON pages (next token, total).",
    )
    return html.Div(
        [
            dcc.Store(id=ids.grid_query(grid_id), data=data),
            dcc.Store(id=ids.grid_page(grid_id), data=page),
            html.Span("Download what the grid shows (all pages):", className="text-muted"),
            *_links(data, lambda what: ids.grid_link(grid_id, what), titles),
        ],
        className="small mb-2",
    )


def answer_links(api_path: str, params: list[tuple[str, str]], link_id, what: str) -> html.Div:
    """CSV, JSON and API links of an answer that is no grid (the search's hits): the API's
    ``api_path`` with ``params``; ``what`` says what the files hold; ``link_id(what)`` names
    each link (csv, json, api)."""
    titles = (
        f"{what} as CSV.",
        f"{what} as newline-delimited JSON (NDJSON): one JSON object per line.",
        "The same answer from the HTTP API, as JSON.",
    )
    return html.Div(
        [
            html.Span(f"Download {what.lower()}:", className="text-muted"),
            *_links(link_data(api_path, params, ()), link_id, titles),
        ],
        className="small mb-2",
    )


def register_download_links(grid_id: str, location: str | None = None) -> None:
    """The links follow the grid's query (``grid_query`` store, set by the page's rows
    callback), and the URL follows the query and the grid's page. ``location``: the page's
    own ``dcc.Location`` (refresh=False), told the URL the grid wrote: a Location whose href
    and search props lag behind the address bar pushes its old address at its next change,
    dropping what the grid and the page's choices put there."""
    sync = bool(location)
    clientside_callback(
        """function(data, info, pending) {
            const none = window.dash_clientside.no_update;
            const sync = %s;
            if (!data) { return sync ? [none, none, none, none, none] : [none, none, none]; }
            const params = new URLSearchParams(window.location.search);
            for (const key of data.keys) { params.delete(key); }
            for (const [key, value] of new URLSearchParams(data.query)) {
                params.append(key, value);
            }
            const current = info && info.currentPage ? info.currentPage : 0;
            const page = pending == null ? current : pending;
            if (page > 0) { params.set("page", String(page + 1)); }
            const search = params.toString();
            const url = window.location.pathname + (search ? "?" + search : "")
                + window.location.hash;
            const here = window.location.pathname + window.location.search
                + window.location.hash;
            const moved = url !== here;
            if (moved) { window.history.replaceState(window.history.state, "", url); }
            const api = data.api + (data.query ? "?" + data.query : "");
            const sep = data.query ? "&" : "?";
            const links = [api + sep + "format=csv", api + sep + "format=ndjson", api];
            if (!sync) { return links; }
            return moved ? [...links, window.location.search, window.location.href]
                         : [...links, none, none];
        }"""
        % ("true" if sync else "false"),
        Output(ids.grid_link(grid_id, "csv"), "href"),
        Output(ids.grid_link(grid_id, "json"), "href"),
        Output(ids.grid_link(grid_id, "api"), "href"),
        *(
            [
                Output(location, "search", allow_duplicate=True),
                Output(location, "href", allow_duplicate=True),
            ]
            if sync
            else []
        ),
        Input(ids.grid_query(grid_id), "data"),
        Input(grid_id, "paginationInfo"),
        State(ids.grid_page(grid_id), "data"),
        prevent_initial_call="initial_duplicate" if sync else False,
    )
    # The page the URL asked for, once the grid knows it has that many.
    clientside_callback(
        """function(info, pending) {
            const none = window.dash_clientside.no_update;
            if (pending == null || !info || !info.totalPages) { return [none, none]; }
            if (info.totalPages > pending) { return [pending, null]; }
            return info.isLastPageFound ? [none, null] : [none, none];
        }""",
        Output(grid_id, "paginationGoTo"),
        Output(ids.grid_page(grid_id), "data"),
        Input(grid_id, "paginationInfo"),
        State(ids.grid_page(grid_id), "data"),
    )
