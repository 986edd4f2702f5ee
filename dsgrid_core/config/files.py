"""Reading config files: JSON5 with line/column errors, and paths kept inside allowed folders."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dsgrid_core.errors import ConfigError, InputError
from dsgrid_core.settings import get as setting

_JSON5_POSITION = re.compile(r"<string>:(\d+) (.*?) at column (\d+)", re.DOTALL)


def load_json5(path: Path) -> dict[str, Any]:
    """Parse a JSON5 (or JSON) file; errors name the file, line and column."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found. Check the path and try again.") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read as a text file ({exc}).") from None
    return loads_json5(text, str(path))


def loads_json5(text: str, source: str) -> dict[str, Any]:
    """Parse JSON5 text; errors name ``source``, the line and the column."""
    from dsgrid_core.config import json5_fast

    try:
        data = json5_fast.loads(text)
    except ValueError as exc:
        match = _JSON5_POSITION.search(str(exc))
        if match:
            line, what, column = match.groups()
            what = what.replace("\n", "\\n")  # an unterminated string ends at a line break
            raise ConfigError(
                f"{source}, line {line}, column {column}: malformed JSON5: {what}. "
                "Fix the syntax there (a missing comma, quote or bracket is the usual cause)."
            ) from None
        raise ConfigError(f"{source}: malformed JSON5: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: expected a JSON5 object at the top level, got {type(data).__name__}."
        )
    return data


class PathResolver:
    """Resolves paths written in a config relative to the config's folder, and refuses any
    that leave the allowed folders (so a config cannot make the registry read /etc/passwd)."""

    def __init__(self, base_dir: Path, allowed_roots: Iterable[Path] = ()):
        self.base_dir = Path(base_dir).resolve()
        roots = [self.base_dir, *(Path(r).resolve() for r in allowed_roots)]
        extra = setting("DSGRID_DATA_ROOTS") or ""
        roots += [Path(p).resolve() for p in extra.split(os.pathsep) if p]
        self.allowed_roots = list(dict.fromkeys(roots))

    def child(self, base_dir: Path) -> PathResolver:
        """Resolver for a config found in another folder, keeping the same allowed roots."""
        resolver = PathResolver.__new__(PathResolver)
        resolver.base_dir = Path(base_dir).resolve()
        resolver.allowed_roots = list(dict.fromkeys([*self.allowed_roots, resolver.base_dir]))
        return resolver

    def resolve(
        self,
        value: str | Path,
        *,
        field: str,
        config_file: Path | None = None,
        must_exist: bool = True,
    ) -> Path:
        where = f"{config_file}: " if config_file else ""
        raw = str(value)
        if "://" in raw:
            raise InputError(
                f"{where}{field} = '{raw}': URLs are not supported for input files; "
                "download the file and give a local path."
            )
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = self.base_dir / path
        path = path.resolve()
        if not any(path == root or root in path.parents for root in self.allowed_roots):
            roots = ", ".join(str(r) for r in self.allowed_roots)
            raise InputError(
                f"{where}{field} = '{raw}' points outside the allowed folders ({roots}). "
                "Move the file under the config's folder, or allow its folder with "
                "--data-root DIR (or the DSGRID_DATA_ROOTS environment variable)."
            )
        if must_exist and not path.exists():
            raise InputError(
                f"{where}{field} = '{raw}': file not found (looked for {path}). "
                "Fix the path (relative paths start at the config's folder) or "
                "add the file."
            )
        return path
