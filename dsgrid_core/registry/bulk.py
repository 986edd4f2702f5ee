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
    message = log_message or f"bulk registration from {bulk_file.name}"
    done: list[dict[str, Any]] = []
    for index, step in enumerate(steps):
        if progress is not None:
            progress(f"{step.kind} {step.id}")
        try:
            done.append(_run(registry, step, message, roots, report_dir))
        except (Exception, KeyboardInterrupt) as exc:
            if not done:
                raise  # nothing registered: the error's own exit code and message hold
            raise _incomplete(bulk_file, step, exc, done, steps[index:]) from exc
    return done


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
    files = step.mapping_files
    result = registry.submit_dataset(
        step.project_id,
        step.dataset_id,
        files[0] if files else None,
        message,
        data_roots=roots,
        report_dir=report_dir,
        references_file=files[1] if len(files) > 1 else None,
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
