"""Semantic versions of registry components."""

from __future__ import annotations

from dsgrid_core.errors import InputError

UPDATE_TYPES = ("major", "minor", "patch")


def parse(version: str) -> tuple[int, int, int]:
    try:
        major, minor, patch = (int(p) for p in version.split("."))
    except ValueError:
        raise InputError(
            f"'{version}' is not a version; write it as MAJOR.MINOR.PATCH, e.g. 1.0.0."
        ) from None
    return major, minor, patch


def bump(version: str, update_type: str) -> str:
    major, minor, patch = parse(version)
    if update_type == "major":
        return f"{major + 1}.0.0"
    if update_type == "minor":
        return f"{major}.{minor + 1}.0"
    if update_type == "patch":
        return f"{major}.{minor}.{patch + 1}"
    raise InputError(f"update type '{update_type}' is not one of {', '.join(UPDATE_TYPES)}.")


def sort_key(version: str) -> tuple[int, int, int]:
    return parse(version)
