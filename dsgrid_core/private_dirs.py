"""Folders only this user can write: where the web server keeps what it later trusts.

The read cache holds pickles that the server unpickles on every request, and uploads are
registered as the user's data, so another user who could put files in either folder could run
code as the server or swap the data. A predictable name in the world-writable temporary
directory is not enough: anyone can create that folder first. So every such folder is

- made with ``mkdir`` (which fails if the name exists) and mode 0700, or, when it exists,
  accepted only if ``lstat`` shows a real folder (not a symbolic link) owned by this user with
  no permission for group or others;
- under parents that no other user can write (each owned by root or this user, and writable
  by others only with the sticky bit, as /tmp is), since whoever can write a parent can
  rename the folder away and put their own in its place. The folder is then used under its
  real path (symbolic links of its parents resolved once, when it is checked).

Anything else is refused with `PrivateFolderError`, which names the folder and what to do.

By default the folders are under ``$XDG_CACHE_HOME/dsgrid-viewer`` (``~/.cache/dsgrid-viewer``),
or ``<tmp>/dsgrid-<uid>`` when the cache home cannot be created."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from dsgrid_core.errors import InputError

APP_FOLDER = "dsgrid-viewer"


class PrivateFolderError(InputError):
    """A folder the server would trust can be changed by other users (or is not a folder)."""


def private_root(*, setting: str | None = None) -> Path:
    """This user's private folder for the viewer, made on first use (``setting``: as in
    `ensure_private_dir`)."""
    home = _cache_home()
    if home is not None:
        try:
            home.mkdir(parents=True, exist_ok=True, mode=0o700)
            return _ensure(Path(os.path.abspath(home / APP_FOLDER)), setting)
        except OSError:
            pass  # no usable cache home (read-only or missing HOME): use the temporary directory
    fallback = Path(tempfile.gettempdir()) / f"dsgrid-{os.getuid()}"
    return ensure_private_dir(fallback, setting=setting)


def private_subdir(name: str, *, setting: str | None = None) -> Path:
    """The folder ``name`` in `private_root`, made private on first use."""
    return ensure_private_dir(private_root(setting=setting) / name, setting=setting)


def ensure_private_dir(folder: str | os.PathLike[str], *, setting: str | None = None) -> Path:
    """``folder``, created with mode 0700 unless it exists, and checked to be private.

    ``setting`` names where the folder can be chosen (e.g. DSGRID_CACHE_DIR), for the message.
    Raises PrivateFolderError when the folder or a parent can be written by another user, or
    when the folder cannot be made."""
    path = Path(os.path.abspath(folder))
    try:
        return _ensure(path, setting)
    except OSError as exc:
        why = exc.strerror or str(exc)
        if exc.filename and os.fspath(exc.filename) != os.fspath(path):
            why += f": {exc.filename}"
        raise PrivateFolderError(
            f"The folder {path} cannot be made ({why}): {_choose(setting)}."
        ) from None


def _ensure(path: Path, setting: str | None) -> Path:
    """`ensure_private_dir` on an absolute path; OSError when the folder cannot be made."""
    if os.name == "nt":  # no POSIX owners or modes to check
        path.mkdir(parents=True, exist_ok=True)
        return path
    existing = next((p for p in path.parents if p.exists()), Path(path.anchor))
    _check_parents(path, existing, setting)  # before making anything under them
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # From here on the folder is named by its real parent: a symbolic link on the way, which
    # its owner could later point elsewhere, is never followed again.
    path = Path(os.path.realpath(path.parent)) / path.name
    _check_parents(path, path.parent, setting)
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass  # made earlier (by us, we hope): checked below
    problem = _problem(os.lstat(path))
    if problem:
        raise PrivateFolderError(
            f"The folder {path} is not private: {problem}. Another user could change what "
            f"the viewer reads from it. Remove it (a new private one is then made), or "
            f"{_choose(setting)}."
        )
    return path


def _cache_home() -> Path | None:
    """$XDG_CACHE_HOME when it is an absolute path (the XDG rule), else ~/.cache."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg)
    try:
        return Path.home() / ".cache"
    except RuntimeError:  # no home directory
        return None


def _problem(info: os.stat_result) -> str | None:
    """Why a folder with this lstat is not private, or None."""
    if stat.S_ISLNK(info.st_mode):
        return "it is a symbolic link"
    if not stat.S_ISDIR(info.st_mode):
        return "it is not a folder"
    if info.st_uid != os.getuid():
        return f"it belongs to user id {info.st_uid}, not to this user (id {os.getuid()})"
    if info.st_mode & 0o077:
        return (
            f"group or other users have permissions on it (mode "
            f"{stat.S_IMODE(info.st_mode):04o}, not 0700)"
        )
    return None


def _check_parents(path: Path, start: Path, setting: str | None) -> None:
    """Refuse ``path`` when ``start`` or a parent of it (symbolic links resolved) can be
    written by another user."""
    parent = Path(os.path.realpath(start))
    for folder in (parent, *parent.parents):
        info = os.stat(folder)
        if info.st_uid not in (0, os.getuid()):
            why = f"belongs to user id {info.st_uid}"
        elif info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX:
            why = f"can be written by group or other users (mode {stat.S_IMODE(info.st_mode):04o})"
        else:
            continue
        raise PrivateFolderError(
            f"The folder {path} is not private: its parent {folder} {why}, so another user "
            f"could replace it. Use another folder: {_choose(setting)}, under parents only "
            f"you (or root) can write."
        )


def _choose(setting: str | None) -> str:
    if setting:
        return f"set {setting} to a folder only you can write (mode 0700)"
    return "choose a folder only you can write (mode 0700)"
