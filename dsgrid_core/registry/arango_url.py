"""The address of an ArangoDB registry, ``arangodb://[user@]host[:port]/database``
(``arangodbs://`` for https), and the password to connect with.

The password is never part of the URL (one holding it is refused without being repeated): it
is read from the environment (DSGRID_ARANGO_PASSWORD or DSGRID_ARANGO_PASSWORD_FILE) only when a
connection is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from dsgrid_core import settings
from dsgrid_core.errors import InputError

SCHEMES = ("arangodb", "arangodbs")
DEFAULT_PORT = 8529
DEFAULT_USER = "root"
# ArangoDB's traditional database names: a letter, then letters, digits, _ or -, 64 bytes.
DATABASE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")


@dataclass(frozen=True)
class ArangoUrl:
    """``arangodb://[user@]host[:port]/dbname``; ``arangodbs://`` for https. Never a password."""

    scheme: str
    user: str
    host: str
    port: int
    database: str

    @classmethod
    def parse(cls, text: str, *, database_required: bool = True) -> ArangoUrl:
        parts = urlsplit(text.strip())
        if parts.scheme not in SCHEMES:
            raise InputError("an ArangoDB registry URL starts with arangodb:// or arangodbs://.")
        if parts.password is not None:
            # The URL itself is not repeated: it holds the password.
            raise InputError(
                "an ArangoDB registry URL must not hold a password: write "
                "arangodb://user@host:port/database and give the password in "
                "DSGRID_ARANGO_PASSWORD or in a file named by DSGRID_ARANGO_PASSWORD_FILE."
            )
        try:
            port = parts.port or DEFAULT_PORT
        except ValueError:
            raise InputError(f"{text}: the port is not a number.") from None
        if not parts.hostname:
            raise InputError(f"{text}: no host; write arangodb://[user@]host:port/database.")
        database = parts.path.strip("/")
        if database or database_required:
            if not DATABASE_NAME.fullmatch(database):
                raise InputError(
                    f"{text}: '{database}' is not an ArangoDB database name (a letter, then "
                    "letters, digits, _ or -; write arangodb://[user@]host:port/database)."
                )
        if parts.query or parts.fragment:
            raise InputError(f"{text}: an ArangoDB registry URL takes no ?query or #fragment.")
        return cls(
            scheme=parts.scheme,
            user=unquote(parts.username) if parts.username else DEFAULT_USER,
            host=parts.hostname,
            port=port,
            database=database,
        )

    @property
    def http_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.scheme == 'arangodbs' else 'http'}://{host}:{self.port}"

    @property
    def server(self) -> str:
        """host:port, for messages."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def __str__(self) -> str:
        return f"{self.scheme}://{quote(self.user, safe='')}@{self.server}/{self.database}"


def arango_password() -> str:
    """DSGRID_ARANGO_PASSWORD, else the first line of the file DSGRID_ARANGO_PASSWORD_FILE
    names, else empty (a server without authentication)."""
    value = settings.get("DSGRID_ARANGO_PASSWORD")
    if value is not None:
        return value
    file = settings.get("DSGRID_ARANGO_PASSWORD_FILE")
    if not file:
        return ""
    try:
        text = Path(file).expanduser().read_text()
    except OSError as exc:
        raise InputError(
            f"cannot read the ArangoDB password file {file} (DSGRID_ARANGO_PASSWORD_FILE): "
            f"{exc.strerror or type(exc).__name__}."
        ) from None
    return text.splitlines()[0] if text else ""
