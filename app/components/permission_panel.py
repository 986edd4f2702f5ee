"""Whether this browser may register components, and signing in with the server's token
when that would let it: the panel at the top of the registration pages. A viewer of another
server's registry (``create_app(api_url=...)``) sends what this browser may register to that
server, which decides again (its own read-only setting and the token this viewer holds)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import flask
from dash import Input, Output, State, callback, html, no_update

from app import ids, security, state


def token_helps() -> bool:
    config = flask.current_app.config
    return bool(
        config.get("DSGRID_API_TOKEN")
        and config.get("DSGRID_TOKEN_REQUIRED")
        and not config.get("DSGRID_READ_ONLY")
    )


def registered_elsewhere() -> str | None:
    """Where registrations go when this viewer shows another server's registry (None when it
    has a registry folder of its own)."""
    if not state.is_remote():
        return None
    return (
        f"registrations are sent to {state.label()}, whose registry this viewer shows; that "
        "server checks them again and may refuse them (read-only, or this viewer's token)."
    )


def permission_panel(name: str) -> html.Div:
    """Whether this browser may register, and why not; a token field when a token helps."""
    allowed, why = security.write_permission()
    elsewhere = registered_elsewhere()
    if allowed:
        alert = dbc.Alert(
            ["This server lets this browser register components.", *_also(elsewhere)],
            color="success",
            id=ids.wizard_id(name, "permission"),
            class_name="py-2",
        )
    else:
        alert = dbc.Alert(
            [html.Strong("Nothing can be registered from this browser: "), why, *_also(elsewhere)],
            color="warning",
            id=ids.wizard_id(name, "permission"),
            class_name="py-2",
        )
    token = html.Div(
        [
            dbc.Label(
                "The server's access token",
                html_for=ids.wizard_id(name, "token"),
                class_name="visually-hidden",
            ),
            dbc.InputGroup(
                [
                    dbc.Input(
                        id=ids.wizard_id(name, "token"),
                        type="password",
                        placeholder="the server's access token (DSGRID_API_TOKEN)",
                        autoComplete="off",
                    ),
                    dbc.Button("Sign in", id=ids.wizard_id(name, "sign-in"), color="primary"),
                ],
                class_name="mb-1",
                style={"maxWidth": "36rem"},
            ),
        ],
        id=ids.wizard_id(name, "token-group"),
        style={} if not allowed and token_helps() else {"display": "none"},
        className="mb-3",
    )
    result = html.Div(id=ids.wizard_id(name, "sign-in-result"), className="small mb-2")
    return html.Div([alert, token, result])


def _also(elsewhere: str | None) -> list:
    return [html.Br(), html.Small(elsewhere.capitalize())] if elsewhere else []


def register_sign_in(name: str) -> None:
    @callback(
        Output(ids.wizard_id(name, "sign-in-result"), "children"),
        Output(ids.wizard_id(name, "permission"), "children"),
        Output(ids.wizard_id(name, "permission"), "color"),
        Output(ids.wizard_id(name, "token-group"), "style"),
        Input(ids.wizard_id(name, "sign-in"), "n_clicks"),
        State(ids.wizard_id(name, "token"), "value"),
        prevent_initial_call=True,
    )
    def sign_in(_clicks, token):
        if not token or not security.sign_in(token):
            return (
                html.Span("That is not the server's access token.", className="text-danger"),
                no_update,
                no_update,
                no_update,
            )
        return (
            html.Span("Signed in.", className="text-success"),
            "Signed in: this server lets this browser register components.",
            "success",
            {"display": "none"},
        )
