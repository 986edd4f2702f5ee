"""Many processes writing one registry at once: of several updates naming the same current
version exactly one wins and the others get the stale-version error (exit 2, no traceback);
concurrent registrations of different components all land; readers never see a half-made
version."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from dsgrid_core.registry.registry import Registry

WRITERS = 6


def _dsgrid(registry, *args):
    return subprocess.run(  # noqa: S603 - our own CLI
        [
            sys.executable,
            "-m",
            "dsgrid_core.cli.main",
            "--registry",
            str(registry),
            *map(str, args),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _dimension_file(folder, name: str, ids: list[str]):
    folder.mkdir(parents=True, exist_ok=True)
    records = folder / f"{name}.csv"
    records.write_text("id,name\n" + "".join(f"{i},{i}\n" for i in ids))
    config = folder / f"{name}.json5"
    config.write_text(
        json.dumps(
            {
                "type": "scenario",
                "class": "Scenario",
                "name": name,
                "description": f"{name} scenarios",
                "file": records.name,
            }
        )
    )
    return config


def test_of_several_updates_of_one_version_exactly_one_wins(empty_registry, tmp_path):
    first = _dimension_file(tmp_path / "v1", "Scenarios", ["reference"])
    assert (
        _dsgrid(empty_registry, "registry", "dimensions", "register", first, "-l", "v1").returncode
        == 0
    )
    with Registry(empty_registry, read_only=True) as reg:
        dimension_id = reg.list("dimension")[0].id
    updates = [
        _dimension_file(tmp_path / f"u{i}", "Scenarios", ["reference", f"high_{i}"])
        for i in range(WRITERS)
    ]
    with ThreadPoolExecutor(WRITERS) as pool:
        results = list(
            pool.map(
                lambda config: _dsgrid(
                    empty_registry, "registry", "dimensions", "update", dimension_id, config,
                    "--update-type", "minor", "--version", "1.0.0", "-l", "concurrent",
                ),
                updates,
            )
        )  # fmt: skip
    winners = [r for r in results if r.returncode == 0]
    losers = [r for r in results if r.returncode != 0]
    assert len(winners) == 1, [r.stderr for r in results]
    for r in losers:
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert "1.1.0" in r.stderr  # names the version someone else made
    with Registry(empty_registry, read_only=True) as reg:
        history = [v.version for v in reg.history("dimension", dimension_id)]
        assert history == ["1.0.0", "1.1.0"]
        ids = [r["id"] for r in reg.records(dimension_id)]
        assert len(ids) == 2 and ids[0] == "reference"
        assert reg.check().ok


def test_concurrent_registrations_of_different_components_all_land(empty_registry, tmp_path):
    configs = [
        _dimension_file(tmp_path / f"d{i}", f"Scenarios {i}", [f"s{i}_{j}" for j in range(50)])
        for i in range(WRITERS)
    ]
    done = threading.Event()
    seen: list[int] = []  # how many dimensions each read saw, all of them whole

    def read_while_writing():
        while not done.is_set():
            with Registry(empty_registry, read_only=True) as reg:
                held = reg.list("dimension")
                for summary in held:
                    assert len(reg.records(summary.id)) == 50, summary.id
            seen.append(len(held))
            time.sleep(0.02)

    with ThreadPoolExecutor(WRITERS + 1) as pool:
        reader = pool.submit(read_while_writing)
        results = list(
            pool.map(
                lambda config: _dsgrid(
                    empty_registry, "registry", "dimensions", "register", config, "-l", "parallel"
                ),
                configs,
            )
        )
        done.set()
        reader.result()  # re-raises what the reader found
    assert [r.returncode for r in results] == [0] * WRITERS, [r.stderr for r in results]
    assert len(seen) > 1 and seen == sorted(seen), seen  # reads ran meanwhile, never went back
    with Registry(empty_registry, read_only=True) as reg:
        held = reg.list("dimension")
        assert len(held) == WRITERS
        for summary in held:
            assert len(reg.records(summary.id)) == 50
        assert reg.check().ok
