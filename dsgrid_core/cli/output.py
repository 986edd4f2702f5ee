"""Printing results: JSON on stdout with --json, aligned tables otherwise; progress on stderr."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import click


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def emit_table(rows: list[dict[str, Any]], columns: list[str]) -> None:
    if not rows:
        click.echo("(none)")
        return
    text = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in text)) for i, c in enumerate(columns)]
    widths[-1] = min(widths[-1], 60)
    click.echo("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)))
    for t in text:
        click.echo("  ".join(v[:w].ljust(w) for v, w in zip(t, widths, strict=True)).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).replace("\n", " ").strip()
    return text


class Progress:
    """Step messages on stderr, shown once the work has taken more than a second."""

    def __init__(self, label: str, *, quiet: bool = False):
        self.label = label
        self.start = time.monotonic()
        self.quiet = quiet
        self.pending: list[str] = []

    def __call__(self, message: str) -> None:
        if self.quiet:
            return
        elapsed = time.monotonic() - self.start
        line = f"[{elapsed:6.1f}s] {self.label}: {message}"
        if elapsed < 1.0:
            self.pending.append(line)
            return
        for old in self.pending:
            click.echo(old, err=True)
        self.pending.clear()
        click.echo(line, err=True)
        sys.stderr.flush()
