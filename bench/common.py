"""What the benchmark scripts share: their command line's common options and how a finished
table is printed and kept."""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path


def bench_dir() -> Path:
    """Where benchmark data lives: $DSGRID_BENCH_DIR, else ~/dsgrid-bench (outside the
    repository)."""
    return Path(os.environ.get("DSGRID_BENCH_DIR", Path.home() / "dsgrid-bench"))


def parser(doc: str | None, *, data_dir: bool = True) -> argparse.ArgumentParser:
    """A script's parser (its docstring as the help) with --markdown and, unless told
    otherwise, --data-dir."""
    found = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    if data_dir:
        found.add_argument("--data-dir", type=Path, default=bench_dir())
    found.add_argument("--markdown", type=Path, help="write the table to this file too")
    return found


def publish(lines: list[str], markdown: Path | None) -> None:
    """Print the finished table, and write it to ``markdown`` when given."""
    text = "\n".join(lines) + "\n"
    print("\n" + text)
    if markdown:
        markdown.write_text(text)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (for a server a benchmark starts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
