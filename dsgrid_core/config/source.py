"""Where a config comes from: a JSON5 file, or data a web form or an API request built.

Registration reads a config once into a ``ConfigSource``: its parsed data, the name messages
give it (the file's path as given, so messages about a file read as they always did; for a
form or a request, the name the user knows, e.g. ``dimension.json5``) and the folder the
relative file references in it start from (the file's folder; for a form, the upload session's
folder holding the uploaded records and data files). A config that never was a file is thus
registered as it is, not written to a file only to be read back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from dsgrid_core.config.files import check_config_values, load_json5, shown_path
from dsgrid_core.errors import ConfigError

if TYPE_CHECKING:
    from pydantic import BaseModel

    M = TypeVar("M", bound=BaseModel)
else:
    M = TypeVar("M")


@dataclass(frozen=True)
class ConfigSource:
    """A config's parsed data, the name messages give it and the folder its relative file
    references start from."""

    data: dict[str, Any]
    name: str
    folder: Path

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> ConfigSource:
        """Read a JSON5 (or JSON) file; errors name the file, line and column."""
        path = Path(path)
        return cls(load_json5(path), str(path), path.parent)

    @classmethod
    def from_data(cls, data: Any, name: str, folder: str | os.PathLike[str]) -> ConfigSource:
        """A config given as data (a form's plan, a request's body), refused as its file would
        be: not an object, or holding what parses but cannot be meant (NUL bytes, runaway
        nesting)."""
        if not isinstance(data, dict):
            raise ConfigError(
                f"{shown_path(name)}: expected a JSON5 object at the top level, got "
                f"{type(data).__name__}."
            )
        check_config_values(data, shown_path(name))
        return cls(data, str(name), Path(folder))

    @classmethod
    def of(cls, config: ConfigSource | str | os.PathLike[str]) -> ConfigSource:
        """``config`` itself, or the file it names read."""
        return config if isinstance(config, ConfigSource) else cls.from_file(config)

    def validate(self, model: type[M]) -> tuple[M, list[str]]:
        """The data validated as ``model``, with its legacy-key notices; the records and
        mapping files it lists must exist (as ``load_config`` checks a file)."""
        # late: these bring pydantic, which a job or a page loads only when it validates
        from dsgrid_core.config.listed_files import check_listed_files
        from dsgrid_core.config.load import validate_model  # late: pydantic, when validating

        config, notices = validate_model(model, self.data, self.name)
        check_listed_files(config, self.name, folder=self.folder)
        return config, notices
