"""Bulk registration: projects, then datasets, then submissions, from one file.

Relative paths are resolved against the bulk file's folder, which is also an allowed data
root (dsgrid's own test data reaches from dataset configs up to a shared datasets folder).

The whole file is checked first (dsgrid_core.registry.bulk_check): a file with a missing
config, a config registering another id than its entry names, or anything else found without
doing the work is refused with exit code 2 and the registry as it was. Each registration then
commits on its own, so one that fails later (a data check of the third dataset, another
process registering the same id meanwhile) cannot take the earlier ones back: the error
(BulkIncomplete, exit code 1) lists exactly what was registered and what was not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dsgrid_core.errors import DsgridError
from dsgrid_core.registry.bulk_check import BulkStep, check_bulk


class BulkIncomplete(DsgridError):
    """A bulk registration stopped after registering part of its file."""

    exit_code = 1
    http_status = 500

    def __init__(self, message: str, *, details, registered, not_registered):
        super().__init__(message, details=details)
        self.registered = registered
        self.not_registered = not_registered

    def to_dict(self) -> dict:
        return {
            **super().to_dict(),
            "registered": self.registered,
            "not_registered": self.not_registered,
        }


def bulk_register(
    registry,
    bulk_file: Path,
    *,
    log_message: str | None = None,
    data_roots=(),
    report_dir: Path | None = None,
    progress=None,
) -> list[dict[str, Any]]:
    registry._require_writable()
    folder = bulk_file.parent.resolve()
    roots = [folder, *data_roots]
    if progress is not None:
        progress("checking the bulk file")
    steps = check_bulk(registry, bulk_file, roots)
    done: list[dict[str, Any]] = []
    for index, step in enumerate(steps):
        if progress is not None:
            progress(f"{step.kind} {step.id}")
        try:
            message = step.log_message or log_message or _default_message(step)
            done.append(_run(registry, step, message, roots, report_dir))
        except (Exception, KeyboardInterrupt) as exc:
            if not done:
                raise  # nothing registered: the error's own exit code and message hold
            raise _incomplete(bulk_file, step, exc, done, steps[index:]) from exc
    return done


def _default_message(step: BulkStep) -> str:
    """dsgrid's message for an entry without log_message."""
    if step.kind == "project":
        return f"Register project {step.id}"
    if step.kind == "dataset":
        return f"Register dataset {step.id}"
    return f"Submit dataset {step.dataset_id} to project {step.project_id}"


def _run(registry, step: BulkStep, message: str, roots, report_dir) -> dict[str, Any]:
    if step.kind == "project":
        plan = registry.register_project(step.config_file, message, data_roots=roots)
        return {"kind": "project", "id": plan.config.project_id, "version": "1.0.0"}
    if step.kind == "dataset":
        plan = registry.register_dataset(
            step.config_file,
            message,
            data_roots=roots,
            data_path=step.data_path,
            report_dir=report_dir,
        )
        return {"kind": "dataset", "id": plan.config.dataset_id, "version": "1.0.0"}
    files = list(step.mapping_files)
    given = files.pop(0) if step.has_mapping_file else None
    result = registry.submit_dataset(
        step.project_id,
        step.dataset_id,
        given,
        message,
        data_roots=roots,
        report_dir=report_dir,
        references_file=files[0] if files else None,
        autogen_reverse=step.autogen_reverse,
    )
    return {
        "kind": "submission",
        "id": f"{step.dataset_id}->{step.project_id}",
        "version": result["project_version"],
    }


def _incomplete(bulk_file, step, exc, done, left) -> BulkIncomplete:
    if isinstance(exc, DsgridError):
        reason = str(exc)
    elif isinstance(exc, KeyboardInterrupt):
        reason = "interrupted"
    else:
        reason = f"{type(exc).__name__}: {exc}"
    registered = [f"{d['kind']} {d['id']} (version {d['version']})" for d in done]
    not_registered = [s.shown() for s in left]
    return BulkIncomplete(
        f"{bulk_file}: stopped at {step.shown()}: {reason}\n"
        f"Registered before it stopped (kept): {'; '.join(registered)}.\n"
        f"Not registered: {'; '.join(not_registered)}.\n"
        "Fix the problem, then register the entries not registered (a bulk file listing "
        "only them).",
        details=[],
        registered=done,
        not_registered=[{"kind": s.kind, "id": s.id, "entry": s.where} for s in left],
    )
