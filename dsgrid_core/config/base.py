"""Shared base model: unknown keys refused, known legacy keys accepted with a warning."""

from __future__ import annotations

import re
import warnings
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator


class LegacyKeyWarning(UserWarning):
    """A config uses an older dsgrid spelling that we accept and translate."""


DIMENSION_NAME_RE = r"^[\w -]+$"
ID_RE = r"^[a-zA-Z]\w*$"

DimensionName = Annotated[str, StringConstraints(pattern=DIMENSION_NAME_RE, min_length=1)]
ComponentId = Annotated[str, StringConstraints(pattern=ID_RE, min_length=2, max_length=128)]
Version = Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]


class DsgridModel(BaseModel):
    """Base of every config model.

    Subclasses list ``legacy_keys``: old key -> new key (moved) or None (accepted and ignored).
    """

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        populate_by_name=True,
        use_enum_values=False,
        # Validators are built on first use, so a command that reads one kind of config
        # does not pay for building all of them (CLI start-up time).
        defer_build=True,
    )
    legacy_keys: ClassVar[dict[str, str | None]] = {}

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        # A NUL byte would be stored, then cut or mangled by whatever reads it back (C strings
        # end at NUL). Files are checked when read (config.files); this covers configs that
        # arrive as data (forms, the API).
        where = _nul_field(data)
        if where is not None:
            raise ValueError(f"{where}: contains a NUL character (\\x00); remove it")
        return data

    @model_validator(mode="before")
    @classmethod
    def _translate_legacy_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not cls.legacy_keys:
            return data
        data = dict(data)
        for old, new in cls.legacy_keys.items():
            if old not in data:
                continue
            value = data.pop(old)
            if new is None:
                warnings.warn(
                    f"{cls.__name__}: key '{old}' is a legacy dsgrid key and is ignored",
                    LegacyKeyWarning,
                    stacklevel=2,
                )
            elif new in data:
                warnings.warn(
                    f"{cls.__name__}: legacy key '{old}' ignored because '{new}' is also given",
                    LegacyKeyWarning,
                    stacklevel=2,
                )
            else:
                warnings.warn(
                    f"{cls.__name__}: legacy key '{old}' read as '{new}'",
                    LegacyKeyWarning,
                    stacklevel=2,
                )
                data[new] = value
        return data


def _nul_field(data: Any) -> str | None:
    """Dotted path of the first text (value or key) in ``data`` holding a NUL, or None."""
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return where or "(value)"
        elif isinstance(value, dict):
            for key, item in value.items():
                name = str(key).replace("\x00", "\\x00")
                path = f"{where}.{name}" if where else name
                if isinstance(key, str) and "\x00" in key:
                    return path
                stack.append((path, item))
        elif isinstance(value, list | tuple):
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))
    return None


def slugify(text: str) -> str:
    """Lower-case identifier made of letters, digits and underscores."""
    slug = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    if not slug or not slug[0].isalpha():
        slug = "d_" + slug
    return slug
