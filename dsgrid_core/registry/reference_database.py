"""A dsgrid-toolkit 0.4 registry read into memory: its SQLite database (never written) and
where its dataset tables are.

What the reference keeps: ``registrations`` (one row per registration: timestamp, submitter,
update type, log message); ``models`` (one row per component version: ``model_type``,
``model_id``, ``version``, the config as JSON, with dimension and mapping records);
``current_versions``; ``contains`` (which versions a version uses); ``key_value`` (the
registry's facts, such as ``data_path``); and under ``<data path>/data/<dataset_id>/<version>/``
each dataset's stored table. `reference_import` turns this into our registry."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dsgrid_core.errors import InputError

KIND_ORDER = {"dimension": 0, "dimension_mapping": 1, "dataset": 2, "project": 3}
DATA_TABLE = "table.parquet"
LOOKUP_TABLE = "lookup_table.parquet"


@dataclass
class RefModel:
    """One version of one component in the reference registry."""

    row_id: int
    kind: str
    id: str
    version: str
    model: dict[str, Any]
    registered_at: str
    submitter: str
    log_message: str
    update_type: str
    uses: list[int] = field(default_factory=list)  # row ids of the versions it contains


@dataclass
class ReferenceRegistry:
    db_path: Path
    data_path: Path
    models: list[RefModel]
    current: dict[tuple[str, str], str]  # (kind, id) -> current version

    def by_row(self) -> dict[int, RefModel]:
        return {m.row_id: m for m in self.models}


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///path`` URL, as the reference names its registry."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise InputError(
            f"'{url}' is not a dsgrid-toolkit registry URL; give its SQLite database as "
            "sqlite:///relative/path.db or sqlite:////absolute/path.db."
        )
    path = Path(url[len(prefix) :])
    if not path.is_file():
        raise InputError(f"{url}: no database file at {path}.")
    return path


def read_reference(url: str, data_path: Path | None = None) -> ReferenceRegistry:
    """Read the reference's database (read-only) into memory."""
    db = sqlite_path(url)
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise InputError(f"{db}: cannot open the database ({exc}).") from None
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        needed = {"registrations", "models", "current_versions", "contains", "key_value"}
        if not needed <= tables:
            raise InputError(
                f"{db}: not a dsgrid-toolkit 0.4 registry database (it lacks the table(s) "
                f"{', '.join(sorted(needed - tables))})."
            )
        facts = dict(con.execute("SELECT key, value FROM key_value"))
        if data_path is None:
            if "data_path" not in facts:
                raise InputError(f"{db}: the database names no data path; give --data-path.")
            data_path = Path(facts["data_path"])
        if facts.get("data_store_type", "filesystem") != "filesystem":
            raise InputError(
                f"{db}: its data store type is '{facts['data_store_type']}'; only the "
                "'filesystem' store can be imported."
            )
        regs = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT id, timestamp, submitter, update_type, log_message FROM registrations"
            )
        }
        uses: dict[int, list[int]] = {}
        for parent, child in con.execute("SELECT parent_id, child_id FROM contains ORDER BY id"):
            uses.setdefault(parent, []).append(child)
        models = []
        for row_id, reg_id, kind, model_id, version, text in con.execute(
            "SELECT id, registration_id, model_type, model_id, version, model FROM models "
            "ORDER BY registration_id, id"
        ):
            stamp, submitter, update_type, message = regs[reg_id]
            models.append(
                RefModel(
                    row_id=row_id,
                    kind=kind,
                    id=model_id,
                    version=version,
                    model=json.loads(text),
                    registered_at=_iso(stamp),
                    submitter=submitter,
                    log_message=message,
                    update_type=update_type,
                    uses=list(dict.fromkeys(uses.get(row_id, []))),
                )
            )
        current = {
            (kind, model_id): version
            for kind, model_id, version in con.execute(
                "SELECT c.model_type, c.model_id, m.version FROM current_versions c "
                "JOIN models m ON m.id = c.current_id"
            )
        }
    except sqlite3.Error as exc:
        raise InputError(f"{db}: cannot read the registry database ({exc}).") from None
    finally:
        con.close()
    unknown = sorted({m.kind for m in models} - set(KIND_ORDER))
    if unknown:
        raise InputError(f"{db}: unknown model type(s) {', '.join(unknown)}.")
    return ReferenceRegistry(db_path=db, data_path=Path(data_path), models=models, current=current)


def _iso(stamp: str) -> str:
    """The reference's 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC) as our ISO form."""
    try:
        parsed = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.isoformat(timespec="seconds")
