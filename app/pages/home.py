"""Home: which registry is open, how much it holds, what was registered last, and one search
box across every component and dimension record. The search text lives in the query string
(?q=...), so a search has a URL and the back button returns to it."""

from __future__ import annotations

import shlex
import sqlite3

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, clientside_callback, dcc, html

from app import ids, state
from app.components.common import KIND_LABELS, KIND_PATHS, component_link, human_bytes
from app.components.downloads import answer_links
from dsgrid_core.errors import DsgridError
from dsgrid_core.service.housekeeping import registry_folder_problem

dash.register_page(__name__, path="/", name="Home", title="dsgrid-viewer", order=0, nav=True)

SEARCH_LIMIT = 20  # matches shown per group


def layout(q: str | None = None, **_):
    """Read on every visit (through the cache, which forgets when the registry changes), so a
    registration shows up on reload."""
    q = q[0] if isinstance(q, list) else q
    return html.Div([html.H1("dsgrid-viewer", id=ids.HOME_TITLE), _body(q or "")])


def _body(q: str):
    path = state.label()
    if not path:
        return dbc.Alert(
            [
                "No registry is open. Start the viewer on a registry folder with ",
                html.Code("dsgrid --registry PATH serve"),
                " or set the environment variable ",
                html.Code("DSGRID_REGISTRY"),
                " to the folder (for gunicorn).",
            ],
            color="info",
            id=ids.HOME_EMPTY,
        )
    where = html.P(["Registry: ", html.Code(path)], id=ids.HOME_REGISTRY_PATH)
    remote = state.is_remote()
    missing = None if remote else registry_folder_problem(path)
    if missing:
        return html.Div(
            [
                where,
                dbc.Alert(
                    [
                        f"This folder {missing}, so it is not a registry. Create an empty "
                        "registry with ",
                        html.Code(f"dsgrid registry create {shlex.quote(path)}"),
                        ", or a demo registry with a generated project and two datasets with ",
                        html.Code(f"dsgrid demo {shlex.quote(path)}"),
                        ".",
                    ],
                    color="warning",
                    id=ids.HOME_EMPTY,
                ),
            ]
        )
    try:
        summary = state.viewer().summary(latest=10)
    except (state.NoRegistry, DsgridError, sqlite3.Error) as exc:
        return html.Div(
            [
                where,
                dbc.Alert(
                    f"Could not read this registry: {exc}", color="danger", id=ids.HOME_ERROR
                ),
            ]
        )
    counts = _counts_table(summary["counts"])
    storage = _storage_table(summary["storage"])
    if not any(summary["counts"].values()):
        return html.Div(
            [
                where,
                dbc.Alert(_empty_help(path, remote), color="secondary", id=ids.HOME_EMPTY),
                _cards(counts, storage),
            ]
        )
    return html.Div(
        [
            where,
            _search_box(q),
            dbc.Row(
                [
                    dbc.Col(_cards(counts, storage), lg=3),
                    dbc.Col(
                        [
                            html.H2("Latest registrations", className="h5"),
                            _latest_table(summary["latest"]),
                        ],
                        lg=9,
                    ),
                ],
                class_name="g-4 mt-1",
            ),
        ]
    )


def _empty_help(path: str, remote: bool) -> list:
    """What to do about an empty registry: on a remote server's, components are registered
    there; on a folder, with the command line."""
    if remote:
        return [
            "The registry holds no components yet. Components are registered on the server "
            "this viewer reads from."
        ]
    return [
        "The registry holds no components yet. Register a project with its "
        "datasets from a bulk file with ",
        html.Code(f"dsgrid --registry {shlex.quote(path)} registry bulk-register FILE"),
        ", or start again with a demo registry: ",
        html.Code("dsgrid demo NEW_FOLDER"),
        ".",
    ]


def _cards(counts, storage) -> html.Div:
    return html.Div(
        [
            dbc.Card([dbc.CardHeader("Components"), dbc.CardBody(counts)], class_name="mb-3"),
            dbc.Card([dbc.CardHeader("Storage"), dbc.CardBody(storage)]),
        ],
        style={"maxWidth": "420px"},
    )


def _counts_table(counts: dict[str, int]) -> dbc.Table:
    return dbc.Table(
        html.Tbody(
            [
                html.Tr(
                    [
                        html.Td(dcc.Link(kind, href=KIND_PATHS[kind])),
                        html.Td(f"{count:,}", className="text-end"),
                    ],
                    id=ids.home_count_row(kind),
                )
                for kind, count in counts.items()
            ]
        ),
        id=ids.HOME_COUNTS,
        size="sm",
        class_name="mb-0",
    )


def _storage_table(storage: dict[str, int]) -> dbc.Table:
    rows = [
        ("database", storage["database_bytes"]),
        ("data", storage["data_bytes"]),
        ("cache", storage["cache_bytes"]),
    ]
    return dbc.Table(
        [
            html.Tbody(
                [
                    html.Tr([html.Td(name), html.Td(human_bytes(size), className="text-end")])
                    for name, size in rows
                ]
                + [
                    html.Tr(
                        [
                            html.Th("total"),
                            html.Th(human_bytes(storage["total_bytes"]), className="text-end"),
                        ]
                    )
                ]
            )
        ],
        id=ids.HOME_STORAGE,
        size="sm",
        class_name="mb-0",
    )


def _when(stamp: str | None) -> str:
    """'2026-11-25T10:30:38+00:00' -> '2026-11-25 10:30:38 UTC'."""
    if not stamp:
        return ""
    return stamp.replace("T", " ").replace("+00:00", " UTC")


def _latest_table(latest: list[dict]) -> dbc.Table:
    header = html.Thead(
        html.Tr([html.Th(c) for c in ("kind", "id", "version", "when", "log message")])
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(KIND_LABELS[r["kind"]]),
                    html.Td(component_link(r["kind"], r["id"], r["version"])),
                    html.Td(r["version"]),
                    html.Td(_when(r["registered_at"]), className="text-nowrap"),
                    html.Td(r["log_message"] or ""),
                ]
            )
            for r in latest
        ]
    )
    return dbc.Table(
        [header, body],
        id=ids.HOME_LATEST,
        size="sm",
        striped=True,
        hover=True,
        responsive=True,  # scrolls in its own box on a phone
        class_name="small",
    )


def _search_box(q: str) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=ids.HOME_SEARCH_URL),
            dbc.Label("Search the registry", html_for=ids.HOME_SEARCH, class_name="fw-semibold"),
            dbc.Input(
                id=ids.HOME_SEARCH,
                value=q,
                type="search",
                debounce=300,
                placeholder="Search ids, names and descriptions of components, and dimension "
                "records (e.g. a county, an end use)",
                class_name="mb-2",
            ),
            html.Div(_results(q), id=ids.HOME_SEARCH_RESULTS),
        ],
        className="mb-3",
    )


def _results(text: str):
    text = (text or "").strip()
    if not text:
        return None
    try:
        found = state.viewer().search(text, limit=SEARCH_LIMIT)
    except (state.NoRegistry, DsgridError, sqlite3.Error) as exc:
        return dbc.Alert(
            f"Could not search this registry: {exc}", color="danger", id=ids.HOME_ERROR
        )
    components, records = found["components"], found["records"]
    if not components and not records:
        return dbc.Alert(
            f"Nothing found for '{text}'. The search matches every word of the text with the "
            "words of component ids, names and descriptions and of the ids and names of "
            "dimension records (latest versions): the same word, a word form (county, "
            "counties) or the start of a word (hosp, Hospital).",
            color="secondary",
            id=ids.HOME_SEARCH_EMPTY,
        )
    parts = [
        answer_links(
            "/search",
            [("q", text), ("limit", str(SEARCH_LIMIT))],
            ids.home_search_link,
            "Every hit shown, with why it matched",
        )
    ]
    if components:
        parts += [
            html.H2(_heading("Components", len(components)), className="h5 mt-2"),
            dbc.Table(
                [
                    html.Thead(
                        html.Tr([html.Th(c) for c in ("kind", "id", "name", "type", "matched")])
                    ),
                    html.Tbody(
                        [
                            html.Tr(
                                [
                                    html.Td(KIND_LABELS[c["kind"]]),
                                    html.Td(component_link(c["kind"], c["id"])),
                                    html.Td(c["name"] or ""),
                                    html.Td(c["type"] or ""),
                                    _why(c),
                                ]
                            )
                            for c in components
                        ]
                    ),
                ],
                id=ids.HOME_SEARCH_COMPONENTS,
                size="sm",
                hover=True,
                responsive=True,
            ),
        ]
    if records:
        parts += [
            html.H2(_heading("Dimension records", len(records)), className="h5 mt-2"),
            dbc.Table(
                [
                    html.Thead(
                        html.Tr(
                            [
                                html.Th(c)
                                for c in ("record id", "name", "dimension", "type", "matched")
                            ]
                        )
                    ),
                    html.Tbody(
                        [
                            html.Tr(
                                [
                                    html.Td(html.Code(r["record_id"])),
                                    html.Td(r["record_name"] or ""),
                                    html.Td(
                                        component_link(
                                            "dimension",
                                            r["dimension_id"],
                                            r["version"],
                                            label=r["dimension_name"] or r["dimension_id"],
                                        )
                                    ),
                                    html.Td(r["type"] or ""),
                                    _why(r),
                                ]
                            )
                            for r in records
                        ]
                    ),
                ],
                id=ids.HOME_SEARCH_RECORDS,
                size="sm",
                hover=True,
                responsive=True,
            ),
        ]
    return parts


def _why(hit: dict) -> html.Td:
    """Why a hit matched, in small muted text: "name: Counties (word form of 'county')" (as
    the search's files say it)."""
    return html.Td(state.viewer().why_matched(hit.get("matched")), className="small text-muted")


def _heading(what: str, count: int) -> str:
    if count >= SEARCH_LIMIT:
        return f"{what} (the first {count})"
    return f"{what} ({count})"


@callback(
    Output(ids.HOME_SEARCH_RESULTS, "children"),
    Input(ids.HOME_SEARCH, "value"),
    prevent_initial_call=True,
)
def run_search(text):
    return _results(text)


# The search text into the address bar. replaceState rather than a dcc.Location: a Location
# change makes Dash's page router render the page again, and the box would lose the focus
# while someone types. Typing replaces the entry; following a result and coming back restores it.
clientside_callback(
    """function(value) {
        const url = new URL(window.location.href);
        if (value) { url.searchParams.set("q", value); } else { url.searchParams.delete("q"); }
        window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
        return window.dash_clientside.no_update;
    }""",
    Output(ids.HOME_SEARCH_URL, "data"),
    Input(ids.HOME_SEARCH, "value"),
    prevent_initial_call=True,
)
