"""The standard_scenarios corpus's registries: the small, current copy of StandardScenarios
(tests/compat/compat_shrink.py: its geography cut to one county, data generated for every
dataset config) registered by the reference and by us, with the steps of tests/compat
(compat_compare.registration_plans: the project, then each dataset registered and submitted
with its mappings file). Once per session: about 10 s to make the copy, 30 s for the reference
to register it, 10 s for us.

One change on top of compat_shrink.py's: the project's time dimension names its time zone the
legacy dsgrid way (``EasternStandard``), which the reference registers but cannot query (DuckDB:
"Unknown TimeZone 'EasternStandard'", on every query); the copy gets the IANA name of that
legacy name (``Etc/GMT+5``), the reading our notice names, as compat_shrink.py does for the
records and the dataset configs.

TEMPO (representative weeks, 17 million rows once mapped to the project's hours) is mapped
whole by the reference in over 20 GB of memory: the query files filter it to a model year or
two and a scenario."""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from queries_corpus import REPO_ROOT, STANDARD_SCENARIOS_BULK

COMPAT = REPO_ROOT / "tests" / "compat"
PROJECT_ID = "dsgrid_conus_2022"


@dataclass(frozen=True)
class Registries:
    url: str  # the reference's registry database
    ours: Path  # our registry folder
    registered: tuple[str, ...]  # the datasets both tools registered and submitted
    refused: dict  # dataset id -> what the tool that refused it said


def _compat_modules():
    if str(COMPAT) not in sys.path:
        sys.path.insert(0, str(COMPAT))
    from compat_compare import registration_plans, run_reference
    from compat_generate import LEGACY_ZONES
    from compat_ours import register
    from compat_shrink import small_project

    return small_project, registration_plans, run_reference, register, LEGACY_ZONES


def _current_project_time_zone(project: Path, legacy: dict[str, str]) -> None:
    text = project.read_text(encoding="utf-8")
    text = re.sub(
        r"""(\btimezone\s*:\s*)(['"])(\w+)\2""",
        lambda m: f'{m.group(1)}"{legacy.get(m.group(3), m.group(3))}"',
        text,
    )
    project.write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class ReferenceSide:
    folder: Path  # the copy, the reference's registry and (once registered) ours
    steps: list  # the registration steps (compat_compare.registration_plans)
    reference: list  # the reference's verdict on each step


def register_with_the_reference(folder: Path) -> ReferenceSide:
    """Make the small copy in ``folder`` and register it in a new reference registry (before
    ours: it writes next to the configs it reads)."""
    small_project, registration_plans, run_reference, _, legacy = _compat_modules()
    folder.mkdir(parents=True, exist_ok=True)
    plan = small_project(STANDARD_SCENARIOS_BULK, folder / "copy")
    _current_project_time_zone(plan.project, legacy)
    ((_, steps),) = registration_plans([], {"small/StandardScenarios": plan})
    steps = [s for s in steps if s["action"] != "stats"]
    work = folder / "reference-work"
    work.mkdir()
    reference = run_reference(
        {"mode": "register", "plans": [{"registry": str(folder / "reference"), "steps": steps}]},
        work,
    )["plans"][0]["steps"]
    return ReferenceSide(folder, steps, reference)


_SESSION: dict[str, ReferenceSide] = {}
_REGISTERING = threading.Lock()  # tests/conftest.py may register it in a thread, ahead


def registered_by_the_reference(tmp_path_factory) -> ReferenceSide:
    """register_with_the_reference, once per test session."""
    key = str(tmp_path_factory.getbasetemp())
    with _REGISTERING:
        if key not in _SESSION:
            folder = tmp_path_factory.mktemp("standard-scenarios")
            _SESSION[key] = register_with_the_reference(folder)
    return _SESSION[key]


def reference_url(side: ReferenceSide) -> str:
    return f"sqlite:///{side.folder / 'reference' / 'ref.db'}"


def build_standard_scenarios(folder: Path) -> Registries:
    """Make the small copy in ``folder`` and register it in a new reference registry and in a
    new registry of ours."""
    return register_ours(register_with_the_reference(folder))


def register_ours(side: ReferenceSide) -> Registries:
    """Register the copy the reference registered in a new registry of ours."""
    *_, register, _ = _compat_modules()
    reference = side.reference
    ours = register(side.folder / "ours", side.steps)["steps"]
    if not (reference[0]["accepted"] and ours[0]["accepted"]):
        raise RuntimeError(
            f"the small StandardScenarios project was not registered: reference "
            f"{reference[0]['message']!r}; ours {ours[0].get('message')!r}"
        )
    registered, refused = [], {}
    for ref, our in zip(reference, ours, strict=True):
        if ref["action"] != "submit":
            continue
        if ref["accepted"] and our["accepted"]:
            registered.append(ref["dataset_id"])
        else:
            refused[ref["dataset_id"]] = ref["message"] if not ref["accepted"] else our["message"]
    return Registries(reference_url(side), side.folder / "ours", tuple(registered), refused)
