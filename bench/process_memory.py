"""Resident memory of a process tree, sampled from /proc while it runs (Linux).

``os.wait4`` reports the largest single process a command waited for; a Spark run's JVM is
started by pyspark and often never waited for, and a Spark Thrift Server is no child at all.
What a user's machine must hold is the sum over all of them, sampled."""

from __future__ import annotations

import os
import signal
from pathlib import Path

PROC = Path("/proc")


def _parents() -> dict[int, int]:
    found = {}
    for entry in os.scandir(PROC):
        if not entry.name.isdigit():
            continue
        try:
            stat = (PROC / entry.name / "stat").read_text()
        except OSError:  # gone since the scan
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def _rss_bytes(pid: int) -> int:
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _with_descendants(roots: list[int]) -> list[int]:
    """``roots`` and every process below them, parents before children."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    found, todo, seen = [], list(roots), set()
    while todo:
        pid = todo.pop(0)
        if pid not in seen:
            seen.add(pid)
            found.append(pid)
            todo.extend(children.get(pid, ()))
    return found


def tree_rss_bytes(roots: list[int]) -> int:
    """The resident memory of ``roots`` and every process below them, now."""
    return sum(_rss_bytes(pid) for pid in _with_descendants(roots))


def kill_tree(root: int) -> None:
    """SIGKILL ``root`` and every process below it (a timed-out step's Spark JVM too)."""
    for pid in reversed(_with_descendants([root])):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
