"""A guessed value with the reason for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Guess:
    """A guessed value and the reason for it (shown next to the field it fills)."""

    value: Any
    reason: str
    certain: bool = True
