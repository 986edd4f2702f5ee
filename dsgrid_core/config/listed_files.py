"""The records and mapping files a config lists, checked when the config is loaded.

dsgrid refuses a config whose dimension or mapping ``file`` does not exist as soon as it reads
the config (its models open the files); we read them only at registration. So a config that
names a missing file is refused at load too, naming the field, the path and where we looked,
rather than passing ``dsgrid config check``-style validation and failing later. Paths are taken
from the config's folder, as at registration; whether a path may be read (allowed folders) is
decided at registration, not here."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from dsgrid_core.config.files import shown_path
from dsgrid_core.errors import ConfigError

FILE_FIELDS = ("file", "filename")


def _listed(value: object, where: str):
    """(field location, path text) of every file or filename field in a validated model."""
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            item = getattr(value, name)
            here = f"{where}.{name}" if where else name
            if name in FILE_FIELDS and isinstance(item, str) and item:
                yield here, item
            else:
                yield from _listed(item, here)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _listed(item, f"{where}[{i}]")


def check_listed_files(
    model: BaseModel, config_file: str | Path, *, folder: Path | None = None
) -> None:
    """Refuse ``model`` (read from ``config_file``) when a file it lists does not exist.
    Relative paths start at ``folder`` (a config given as data names no file), else at the
    config file's folder."""
    base = Path(folder) if folder is not None else Path(config_file).parent
    missing = []
    for where, text in _listed(model, ""):
        if "://" in text or "\x00" in text:
            continue  # refused with its own message at registration
        try:
            path = Path(text).expanduser()
            if not (path if path.is_absolute() else base / path).exists():
                missing.append((where, text, path if path.is_absolute() else base / path))
        except (OSError, ValueError):
            continue  # a path the OS cannot take: registration says why
    if missing:
        shown = "; ".join(
            f"{where} = '{shown_path(text)}' (looked for {shown_path(found)})"
            for where, text, found in missing[:5]
        )
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise ConfigError(
            f"{shown_path(config_file)}: file not found: {shown}{more}. Fix the path (relative "
            "paths start at the config's folder) or add the file."
        )
