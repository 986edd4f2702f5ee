"""Which configs the suite compares: every dsgrid config file in the shared corpora, found by
walking them and told apart by their keys (never by a list of paths), plus the small configs
of tests/compat/forms (one per config form the reference's models accept).

Runs in our Python and in no other; the reference side gets (path, kind) pairs from here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import json5

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"
# the corpora, as tests/conftest.py finds them (CI runs from a clone in another folder)
CORPORA = {
    "dsgrid-test-data": Path(os.environ.get("DSGRID_TEST_DATA", SHARED / "dsgrid-test-data")),
    "dsgrid-projects": SHARED / "dsgrid-projects",
}
FORMS = Path(__file__).resolve().parent / "forms"


@dataclass(frozen=True)
class ConfigFile:
    path: Path
    kind: str  # dimension, dimensions, project, dataset, mappings, ... (see classify)
    label: str  # corpus-relative path, stable across machines: the key of results and gaps

    @property
    def as_job(self) -> dict:
        return {"path": str(self.path), "kind": self.kind, "label": self.label}


def classify(data: object) -> str | None:
    """The kind of a dsgrid config from its top-level keys; None for anything else (data
    lookups in JSON, notes)."""
    if not isinstance(data, dict):
        return None
    keys = set(data)
    if "project_id" in keys and "dimensions" in keys:
        return "project"
    if "dataset_id" in keys and keys & {"data_layout", "data_schema", "dataset_type"}:
        return "dataset"
    if {"project", "result"} <= keys:
        return "query"
    if {"dataset", "result"} <= keys or "dataset_id" in keys and "result" in keys:
        return "dataset_query"
    if keys & {"projects", "dataset_submissions"} and "dimensions" not in keys:
        return "bulk"
    if isinstance(data.get("mappings"), list):
        first = data["mappings"][0] if data["mappings"] else {}
        return "mappings" if "dimension_type" in first else "standalone_mappings"
    if isinstance(data.get("references"), list):
        return "mapping_references"
    if isinstance(data.get("dimensions"), list):
        return "dimensions"
    if "type" in keys and "name" in keys and keys & {"file", "records", "time_type", "class"}:
        return "dimension"
    return None


def _label(path: Path, roots: dict[str, Path]) -> str:
    for name, root in roots.items():
        if path.is_relative_to(root):
            return f"{name}/{path.relative_to(root)}"
    raise ValueError(f"{path} is in no corpus")


def discover(generated: Path | None = None) -> list[ConfigFile]:
    """Every classifiable JSON5/JSON config under the corpora that exist, the forms, and the
    configs compat_generate.py wrote into ``generated``."""
    named = {name: root for name, root in CORPORA.items() if root.is_dir()}
    named["forms"] = FORMS
    if generated is not None:
        named["generated"] = generated
    found = []
    for root in named.values():
        for path in sorted(root.rglob("*")):
            if path.suffix not in (".json5", ".json") or ".git" in path.parts:
                continue
            try:
                data = json5.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                continue  # JSON lines data files (load_data_lookup.json) and the like
            kind = classify(data)
            if kind is not None:
                found.append(ConfigFile(path, kind, _label(path, named)))
    return found


def corpora_present() -> bool:
    return any(root.is_dir() for root in CORPORA.values())
