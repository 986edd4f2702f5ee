"""Reading config files: JSON5 with line/column errors, and paths kept inside allowed folders.

Every config, records or data path a user gives passes through here (``PathResolver.resolve``
for paths written in configs, ``open_regular_file`` for every file opened as text), so the
special cases of a file system (a directory, a FIFO, a symlink loop, a NUL in the name, a name
longer than the system allows) are refused in one place with a message naming the path, instead
of surfacing as an OSError traceback or, for a FIFO, a command that waits forever for a writer.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dsgrid_core.config import json5_fast
from dsgrid_core.config.json5_fast import LongNumber
from dsgrid_core.errors import ConfigError, InputError
from dsgrid_core.settings import get as setting

_JSON5_POSITION = re.compile(r"<string>:(\d+) (.*?) at column (\d+)", re.DOTALL)

# Deeper than any dsgrid config needs; far below where a recursive reader or validator (json5,
# pydantic, json.dumps) would hit Python's recursion limit.
MAX_NESTING = 64
SHOWN_PATH_CHARS = 120


def shown_path(path: str | Path) -> str:
    """A path as a message shows it: control characters escaped, a huge path shortened (a
    4,096-character path would bury the message)."""
    text = str(path).replace("\x00", "\\x00")
    if len(text) > SHOWN_PATH_CHARS:
        text = f"{text[: SHOWN_PATH_CHARS // 2]}...{text[-20:]} ({len(str(path)):,} characters)"
    return text


def _os_problem(exc: OSError | ValueError | RuntimeError) -> str:
    """What an OS error about a path means for the user, without echoing the path again."""
    if isinstance(exc, ValueError):
        return "the path contains a NUL character (\\x00), which no file name can hold"
    if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
        return "the path runs into a loop of symbolic links"
    if exc.errno == errno.ENAMETOOLONG:
        return (
            "the path is longer than the system allows (at most 4,095 characters, "
            "255 per folder or file name)"
        )
    if exc.errno == errno.ENOENT:
        return "file not found"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENOTDIR:
        return "a part of the path is a file, not a folder"
    return exc.strerror or type(exc).__name__


def _kind(mode: int) -> str | None:
    """None for a regular file, else what the path is (a directory, a FIFO, ...)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def check_input_path(path: str | Path, *, allow_dir: bool = False, where: str = "") -> Path:
    """Refuse a path that cannot be read as an input: missing, NUL in it, too long, a symlink
    loop, or anything but a regular file (or a directory, if ``allow_dir``). ``os.stat`` looks
    at the path without opening it, so a FIFO is refused before anything waits on it."""
    prefix = where or f"{shown_path(path)}: "
    if "\x00" in str(path):
        raise InputError(f"{prefix}{_os_problem(ValueError())}. Fix the path.")
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError) as exc:
        problem = _os_problem(exc)
        hint = "Check the path and try again." if problem == "file not found" else "Fix the path."
        raise InputError(f"{prefix}{problem}. {hint}") from None
    kind = _kind(mode)
    if kind is None or (allow_dir and kind == "a directory"):
        return Path(path)
    wanted = "a regular file or a folder" if allow_dir else "a regular file"
    raise InputError(
        f"{prefix}is {kind}, not {wanted}; only regular files are read. "
        "Give the path of the file itself."
    )


def read_input_text(path: str | Path, *, encoding: str = "utf-8") -> str:
    """The text of a regular file, refused (naming the path) when it is anything else.

    The file is opened non-blocking and checked with ``fstat`` on the open descriptor, so a FIFO
    put in its place after ``check_input_path`` still cannot make the command wait."""
    check_input_path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError) as exc:
        raise InputError(f"{shown_path(path)}: {_os_problem(exc)}. Fix the path.") from None
    with os.fdopen(fd, "rb") as handle:
        kind = _kind(os.fstat(fd).st_mode)
        if kind is not None:
            raise InputError(
                f"{shown_path(path)}: is {kind}, not a regular file; only regular files are read."
            )
        try:
            data = handle.read()
        except OSError as exc:
            raise InputError(f"{shown_path(path)}: cannot be read ({_os_problem(exc)}).") from None
    return data.decode(encoding)


def load_json5(path: Path) -> dict[str, Any]:
    """Parse a JSON5 (or JSON) file; errors name the file, line and column."""
    path = Path(path)
    try:
        text = read_input_text(path)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{shown_path(path)}: cannot be read as a text file ({exc}); save it as UTF-8."
        ) from None
    return loads_json5(text, str(path))


def loads_json5(text: str, source: str) -> dict[str, Any]:
    """Parse JSON5 text; errors name ``source``, the line and the column (or the field)."""
    source = shown_path(source)
    try:
        data = json5_fast.loads(text)
    except RecursionError:
        raise ConfigError(
            f"{source}: arrays or objects are nested too deeply to read (a dsgrid config "
            f"needs at most {MAX_NESTING} levels). Look for runaway brackets.",
            problems=[{"field": "(top level)", "message": "nested too deeply"}],
        ) from None
    except ValueError as exc:
        match = _JSON5_POSITION.search(str(exc))
        if match:
            line, what, column = match.groups()
            what = what.replace("\n", "\\n")  # an unterminated string ends at a line break
            raise ConfigError(
                f"{source}, line {line}, column {column}: malformed JSON5: {what}. "
                "Fix the syntax there (a missing comma, quote or bracket is the usual cause)."
            ) from None
        raise ConfigError(f"{source}: malformed JSON5: {str(exc)[:300]}") from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: expected a JSON5 object at the top level, got {type(data).__name__}."
        )
    check_config_values(data, source)
    return data


def _field(parent: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    key = str(key).replace("\x00", "\\x00")
    return f"{parent}.{key}" if parent else key


def check_config_values(data: Any, source: str) -> None:
    """Refuse what parses but cannot be meant: text holding a NUL byte, numbers longer than
    Python converts (over 4,300 digits), nesting deeper than ``MAX_NESTING``. Iterative, so
    the check itself cannot run out of stack; the error names the file and the field."""

    def refuse(field: str, message: str) -> None:
        raise ConfigError(
            f"{source}: {field or '(top level)'}: {message}",
            problems=[{"field": field or "(top level)", "message": message}],
        )

    stack: list[tuple[str, Any, int]] = [("", data, 0)]
    while stack:
        field, value, depth = stack.pop()
        if isinstance(value, LongNumber):
            refuse(
                field,
                f"a number with {value.digits:,} digits; numbers that long are not meaningful "
                "in a dsgrid config. Write the value with fewer digits.",
            )
        elif isinstance(value, str):
            if "\x00" in value:
                refuse(
                    field,
                    f"contains a NUL character (\\x00) at position {value.index(chr(0)) + 1}; "
                    "remove it (no text in a config may hold NUL bytes).",
                )
        elif isinstance(value, dict | list):
            if depth >= MAX_NESTING:
                refuse(
                    field,
                    f"nested more than {MAX_NESTING} levels deep; no dsgrid config is. "
                    "Look for runaway brackets.",
                )
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and "\x00" in key:
                    refuse(
                        _field(field, key),
                        "the key contains a NUL character (\\x00); remove it.",
                    )
                stack.append((_field(field, key), item, depth + 1))


def _names_a_file(field: str) -> bool:
    """Whether a config field holds the path of one file (``file``, ``filename``,
    ``config_file``, ``dimension_mapping_file``), not a data path that may be a folder of
    Parquet files: a folder there is refused with the field named (``file: "."``)."""
    return field.rsplit(".", 1)[-1] in ("file", "filename", "config_file", "dimension_mapping_file")


class PathResolver:
    """Resolves paths written in a config relative to the config's folder, and refuses any
    that leave the allowed folders (so a config cannot make the registry read /etc/passwd),
    or that are not a regular file or a folder (see ``check_input_path``)."""

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
        where = f"{shown_path(config_file)}: " if config_file else ""
        raw = str(value)
        said = f"{where}{field} = '{shown_path(raw)}'"
        if "://" in raw:
            raise InputError(
                f"{said}: URLs are not supported for input files; "
                "download the file and give a local path."
            )
        try:
            path = Path(raw).expanduser()
            if not path.is_absolute():
                path = self.base_dir / path
            path = path.resolve()
        except (OSError, ValueError, RuntimeError) as exc:  # NUL, too long, symlink loop
            raise InputError(f"{said}: {_os_problem(exc)}. Fix the path.") from None
        if not any(path == root or root in path.parents for root in self.allowed_roots):
            roots = ", ".join(str(r) for r in self.allowed_roots)
            raise InputError(
                f"{said} points outside the allowed folders ({roots}). "
                "Move the file under the config's folder, or allow its folder with "
                "--data-root DIR (or the DSGRID_DATA_ROOTS environment variable)."
            )
        if must_exist:
            try:
                check_input_path(path, allow_dir=not _names_a_file(field), where=f"{said}: ")
            except InputError as exc:
                if "file not found" not in exc.message:
                    raise
                raise InputError(
                    f"{said}: file not found (looked for {shown_path(path)}). "
                    "Fix the path (relative paths start at the config's folder) or "
                    "add the file."
                ) from None
        return path
