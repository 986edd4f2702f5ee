"""Registering from a wizard: Register starts a registration job with the plan's config as
data (never written to a file) on a copy (hard links) of the form's files that the job removes
itself, so a failed registration leaves the form's files in place to fix and retry; the page
follows the job's progress, shows its result, and puts the problems of a failed one under the
fields they concern. Nothing is registered without a plan. The plan comes back from the
browser: the job's registration validates its config (the page's own check only gives the
problems while the form is filled in), and nothing else of it decides where the job reads
files."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from app import ids, security, state
from app.components import wizard_uploads as uploads
from app.components.common import KIND_LABELS, component_href
from app.components.permission_panel import register_sign_in
from app.components.wizard import (
    CONFIG_NAMES,
    DEFAULT_LOG,
    Wizard,
    config_text,
    problems_view,
)
from dsgrid_core import forms
from dsgrid_core.errors import DsgridError
from dsgrid_core.service import registrations


def start_job(w: Wizard, plan: dict[str, Any], files: dict | None, log_message: str) -> str:
    """Start the plan's registration job on a copy of the form's files, through the viewer (a
    remote viewer sends the files and the config to its server). The plan comes back from
    the browser: only its config (validated by the job's registration, its file references
    confined to the job's folder by the registry) and, for a submission, the project and
    dataset ids are taken from it."""
    params = None
    if w.kind == "submission":
        given = plan.get("params") or {}
        params = {
            "project_id": str(given.get("project_id")),
            "dataset_id": str(given.get("dataset_id")),
        }
    return state.viewer().start_registration(
        w.kind,
        plan["config"],
        config_name=CONFIG_NAMES[w.kind],
        log_message=log_message,
        files=registrations.uploaded_files(uploads.sessions_of(files)),
        params=params,
    )


def _outcome(job: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A finished job as the form shows it, the files named as the user uploaded them (the
    job's messages leave out where the server kept them)."""
    if job["status"] == "succeeded":
        return {"status": "succeeded", "components": job.get("components") or []}
    readable = lambda text: forms.readable(str(text), names)  # noqa: E731
    return {
        "status": job["status"],
        "message": readable(job.get("reason") or job.get("error") or "the registration failed."),
        # the command line's hint on the full report means nothing here
        "details": [readable(d) for d in job.get("details") or [] if "--report-dir" not in d],
        "problems": [
            {"field": readable(p.get("field", "")), "message": readable(p.get("message", ""))}
            for p in job.get("problems") or []
        ],
    }


def _result(w: Wizard, job: dict | None, outcome: dict | None):
    if outcome is None:
        if job:
            return html.Div("Registering…", id=w.id("running"), className="text-muted")
        return None
    status = outcome["status"]
    if status == "refused":
        return dbc.Alert(
            [html.Strong("Nothing was registered: "), outcome["message"]],
            color="danger",
            id=w.id("result-alert"),
        )
    if status == "succeeded":
        made = (outcome.get("components") or [{}])[0]
        link = dcc.Link(
            made.get("id", ""),
            href=component_href(made.get("kind", "project"), made.get("id", "")),
            id=w.id("result-link"),
        )
        if w.kind == "submission":
            said = ["Submitted. Project ", link, f" is now at version {made.get('version')}."]
        else:
            label = KIND_LABELS.get(made.get("kind"), "Component")
            said = [f"Registered {label.lower()} ", link, f" version {made.get('version')}."]
        return dbc.Alert(
            [*said, html.A("Start another", href=w.path, className="ms-3")],
            color="success",
            id=w.id("result-alert"),
        )
    where = ""
    if not outcome.get("problems") and w.failure_field:
        where = " The problem is shown next to the field it concerns."
    return dbc.Alert(
        [
            html.Strong("Nothing was registered. "),
            outcome["message"].splitlines()[0] if outcome.get("message") else "",
            where,
        ],
        color="danger",
        id=w.id("result-alert"),
    )


def _failure_problems(w: Wizard, outcome: dict | None) -> list[dict[str, str]]:
    if not outcome or outcome["status"] not in ("failed", "cancelled"):
        return []
    said = "The last registration failed: "
    if outcome.get("problems"):
        return [{**p, "message": said + p["message"]} for p in outcome["problems"]]
    text = said + (outcome.get("message") or "")
    if outcome.get("details"):
        text += "\n" + "\n".join(outcome["details"])
    return [{"field": w.failure_field or "", "message": text}]


def register_callbacks(w: Wizard) -> None:
    """The callbacks every wizard has: sign-in, uploads, Register, progress, problems under
    their fields, Cancel and the downloads."""
    register_sign_in(w.name)
    uploads.register_callbacks(w)

    @callback(
        Output(w.id("job"), "data"),
        Output(w.id("outcome"), "data", allow_duplicate=True),
        Output(w.id("interval"), "disabled", allow_duplicate=True),
        Input(w.id("register"), "n_clicks"),
        State(w.id("check"), "data"),
        State(w.id("files"), "data"),
        State(w.id("log-message"), "value"),
        prevent_initial_call=True,
    )
    def start(clicks, check, files, log_message):
        plan = (check or {}).get("plan")
        if not clicks or not plan:
            raise PreventUpdate
        allowed, why = security.write_permission()  # this server's; a remote one's too, then
        if not allowed:
            return None, {"status": "refused", "message": why}, True
        try:
            job_id = start_job(w, plan, files, (log_message or "").strip() or DEFAULT_LOG)
        except DsgridError as exc:
            return (
                None,
                {
                    "status": "failed",
                    "message": exc.message,
                    "details": exc.details,
                    "problems": exc.problems,
                },
                True,
            )
        # no registry here (or another server's: changes are made there), or the disk refused
        except (state.NoRegistry, OSError) as exc:
            return None, {"status": "refused", "message": str(exc)}, True
        return {"id": job_id, "names": plan.get("names", {})}, None, False

    @callback(
        Output(w.id("progress"), "value"),
        Output(w.id("progress"), "label"),
        Output(w.id("progress"), "style"),
        Output(w.id("progress"), "color"),
        Output(w.id("progress"), "animated"),
        Output(w.id("progress"), "striped"),
        Output(w.id("outcome"), "data"),
        Output(w.id("interval"), "disabled"),
        Input(w.id("interval"), "n_intervals"),
        State(w.id("job"), "data"),
        State(w.id("files"), "data"),
        prevent_initial_call=True,
    )
    def follow(_ticks, job, files):
        if not job:
            raise PreventUpdate
        record = state.viewer().job(job["id"])
        if record is None:
            raise PreventUpdate
        total = max(record["stages_total"], 1)
        value = round(100 * min(record["stages_done"], total) / total)
        shown = {"display": "flex", "height": "1.5rem"}
        if record["status"] in ("queued", "running"):
            label = record["message"] or record["status"]
            return value, label, shown, "primary", True, True, no_update, False
        outcome = _outcome(record, job.get("names") or {})
        if record["status"] == "succeeded":
            uploads.remove_sessions(files)  # the form is done with its files
            return 100, "done", shown, "success", False, False, outcome, True
        return value, record["status"], shown, "danger", False, False, outcome, True

    problem_keys = list(dict.fromkeys([*w.fields, *w.uploads]))
    routes = {k: w.fields.get(k, ()) for k in problem_keys}

    @callback(
        Output(w.id("result"), "children"),
        Output(w.id("register"), "disabled"),
        Output(w.id("cancel"), "disabled"),
        Output(w.id("download-config"), "disabled"),
        Output(w.id("download-command"), "disabled"),
        Output(w.id("general-problems"), "children"),
        *[Output(ids.wizard_problem(w.name, k), "children") for k in problem_keys],
        Input(w.id("check"), "data"),
        Input(w.id("job"), "data"),
        Input(w.id("outcome"), "data"),
    )
    def show(check, job, outcome):
        check = check or {}
        plan = check.get("plan")
        running = bool(job) and outcome is None
        succeeded = bool(outcome) and outcome.get("status") == "succeeded"
        problems = list(check.get("problems") or []) + _failure_problems(w, outcome)
        routed = forms.route_problems(problems, routes)
        return (
            _result(w, job, outcome),
            not plan or running or succeeded,
            running,
            not plan,
            not plan,
            problems_view(routed[forms.GENERAL]),
            *[problems_view(routed[k]) for k in problem_keys],
        )

    @callback(
        Output(w.id("reload"), "href"),
        Input(w.id("cancel"), "n_clicks"),
        State(w.id("files"), "data"),
        prevent_initial_call=True,
    )
    def cancel(clicks, files):
        if not clicks:
            raise PreventUpdate
        uploads.remove_sessions(files)
        return f"{w.path}?cancelled=1"

    @callback(
        Output(w.id("config-download"), "data"),
        Input(w.id("download-config"), "n_clicks"),
        State(w.id("check"), "data"),
        prevent_initial_call=True,
    )
    def download_config(clicks, check):
        plan = (check or {}).get("plan")
        if not clicks or not plan:
            raise PreventUpdate
        return {"content": config_text(plan), "filename": CONFIG_NAMES[w.kind]}

    @callback(
        Output(w.id("command-download"), "data"),
        Input(w.id("download-command"), "n_clicks"),
        State(w.id("check"), "data"),
        State(w.id("log-message"), "value"),
        prevent_initial_call=True,
    )
    def download_command(clicks, check, log_message):
        plan = (check or {}).get("plan")
        if not clicks or not plan:
            raise PreventUpdate
        names = plan.get("names", {})
        config = forms.rename_references(plan["config"], names)
        params = plan.get("params", {})
        text = forms.cli_command(
            w.kind,
            CONFIG_NAMES[w.kind],
            registry=state.registry_path(),
            log_message=(log_message or "").strip() or DEFAULT_LOG,
            files=forms.referenced_files(config),
            project_id=params.get("project_id"),
            dataset_id=params.get("dataset_id"),
        )
        return {"content": text, "filename": f"register-{w.name}.sh"}
