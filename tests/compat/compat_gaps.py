"""The one place listing where this project and the reference differ today.

GAPS: differences to fix (a config the reference reads and we refuse, a registration that
differs, different stored numbers). Each becomes an xfail(strict=True) test: when someone
fixes one, its test fails until the entry is removed here (then regenerate
docs/compatibility.md with scripts/compat_report.py).

INTENDED: differences by design, with why; the test checks the difference is still exactly
that outcome.

Keys are "<level>:<config label>" as shown in docs/compatibility.md (levels: load, register,
data)."""

from __future__ import annotations

_SMALL_AEO_RES = (
    "{level}:small/dsgrid-projects/StandardScenarios {arrow} "
    "aeo2021_reference_residential_energy_use_growth_factors"
)
_NAME_CRASH = (
    "the reference stops registering this dataset with AssertionError: TEMPO brought its own "
    "dimensions named 'sector' and 'model_year' (as the project has), and its name-to-id "
    "replacement asserts that no two names in the registry are equal (see 'Where the "
    "reference is wrong')"
)

INTENDED: dict[str, tuple[str, str]] = {
    # key: (outcome, reason)
    _SMALL_AEO_RES.replace("{level}", "register").replace("{arrow}", "+"): (
        "read with notice",
        _NAME_CRASH + "; we register it, noting that its own 'sector' shares a name",
    ),
    _SMALL_AEO_RES.replace("{level}", "register").replace("{arrow}", "<-"): (
        "ours only",
        _NAME_CRASH + " (and its autogen_reverse_supplemental_mappings never works: see "
        "'Where the reference is wrong'); we reverse the project's mapping and submit it",
    ),
    "register:small/dsgrid-projects/StandardScenarios <- "
    "aeo2021_reference_commercial_energy_use_growth_factors": (
        "ours only",
        "the reference's autogen_reverse_supplemental_mappings never works (see 'Where the "
        "reference is wrong'); the dataset's census divisions are the project's supplemental "
        "dimension (same records), so we reverse the project's mapping and submit it",
    ),
    _SMALL_AEO_RES.replace("{level}", "data").replace("{arrow}", "->"): (
        "ours only",
        _NAME_CRASH + "; we store its values whole",
    ),
    "load:dsgrid-projects/StandardScenarios/dsgrid_project/scripts/build_registry/"
    "project_registration.json5": (
        "ours only",
        "dataset_path (the data folder of an entry, from older dsgrid bulk files, which 0.4.0 "
        "dropped) is read and applied: the data files are looked up in it",
    ),
}

# a gap is fixed when its row's outcome is compatible (same, same by names, read with notice),
# or exactly the outcome given second (where a notice would not be the fix)
GAPS: dict[str, tuple[str, str | None]] = {
    # key: (reason, outcome when fixed)
}
