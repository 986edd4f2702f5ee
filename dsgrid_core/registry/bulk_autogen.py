"""``autogen_reverse_supplemental_mappings`` of a bulk submission: a dataset whose dimension
of some type is one of the project's supplemental dimensions (AEO growth factors by census
division, in a project whose base geography is counties) gets its mapping to the base
dimension made by reversing the project's base-to-supplemental mapping.

As in dsgrid, the reverse maps each supplemental record to every base record that maps to it,
with multiplier 1 (many_to_many_explicit_multipliers: a division's growth factor applies to
each of its counties), and only a mapping whose fractions are all 1 can be reversed: a
fraction would have to become its reciprocal share, which the mapping does not say.
"""

from __future__ import annotations

import copy
import csv
from pathlib import Path

from dsgrid_core.config.source import ConfigSource
from dsgrid_core.errors import InputError

REVERSED_TYPE = "many_to_many_explicit_multipliers"


def with_reverse_mappings(
    registry,
    project_id: str,
    dataset_id: str,
    types: list[str],
    mappings_source: ConfigSource | None,
    folder: Path,
    where: str,
) -> ConfigSource:
    """A mappings config (its reversed mappings' files in ``folder``): the entry's own
    mappings (file paths made absolute) and one reversed supplemental mapping per type of
    ``types``."""
    project = registry.show("project", project_id)
    dataset = registry.show("dataset", dataset_id)
    ds_dims = dataset.extra["dimensions"]
    supplemental = project.extra.get("supplemental_dimensions", [])
    given: dict = {"mappings": [], "references": []}
    if mappings_source is not None:
        given = copy.deepcopy(mappings_source.data)
        for m in given.get("mappings", []):
            for key in ("file", "filename"):
                if m.get(key):
                    m[key] = str((mappings_source.folder / m[key]).resolve())
    mapped = {m.get("dimension_type") for m in given.get("mappings", [])} | {
        r.get("from_dimension_type") for r in given.get("references", [])
    }
    mappings = list(given.get("mappings", []))
    for t in types:
        dim = ds_dims[t]
        supp = next((s for s in supplemental if s["id"] == dim["id"]), None)
        if supp is None or t in mapped:
            why = (
                "the submission maps it already"
                if t in mapped
                else "it is not one of the project's supplemental dimensions"
            )
            raise InputError(
                f"{where}: autogen_reverse_supplemental_mappings lists {t}, but the "
                f"dataset's {t} dimension '{dim['name']}' cannot be mapped that way: {why}. "
                f"Remove {t} from the list (or the mapping from the mappings file)."
            )
        records = registry.store.mapping_records(supp["mapping_id"], supp["mapping_version"])
        fractions = sorted({x for _, to, x in records if to is not None})
        if fractions != [1.0]:
            raise InputError(
                f"{where}: cannot reverse the project's mapping from its base {t} dimension to "
                f"'{supp['name']}' ({t}): its from_fraction values are {fractions[:5]}, not "
                "all 1. Give the dataset's mapping in the dimension mapping file."
            )
        target = folder / f"reverse_{t}.csv"
        with open(target, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["from_id", "to_id", "from_fraction"])
            writer.writerows((to, f, 1) for f, to, _ in records if to is not None)
        mappings.append(
            {
                "description": f"{dataset_id} {t} to the project base (reversed "
                f"supplemental mapping {supp['mapping_id']})",
                "dimension_type": t,
                **(
                    {"project_base_dimension_name": supp["base_name"]}
                    if supp.get("base_name")
                    else {}
                ),
                "file": str(target),
                "mapping_type": REVERSED_TYPE,
            }
        )
    # messages name it as a file beside the reversed mappings' files, as they always have
    combined = {**given, "mappings": mappings}
    return ConfigSource.from_data(combined, str(folder / "dimension_mappings.json5"), folder)
