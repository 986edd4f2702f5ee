"""A mapping's rows guessed from the records of its two dimensions."""

from __future__ import annotations

import difflib
from collections import Counter
from typing import Any

from dsgrid_core.infer.guess import Guess


def mapping_skeleton(
    from_records: list[dict[str, Any]], to_records: list[dict[str, Any]]
) -> dict[str, Any]:
    """One row per from record: the to record with the same id, else the same or the closest
    name, else an empty to_id (dropped) for the user to fill; with the mapping type the rows
    imply."""
    to_ids = {str(r["id"]) for r in to_records}
    by_name = {str(r.get("name") or r["id"]).lower(): str(r["id"]) for r in to_records}
    rows, how = [], Counter()
    for record in from_records:
        fid, name = str(record["id"]), str(record.get("name") or record["id"]).lower()
        if fid in to_ids:
            rows.append({"from_id": fid, "to_id": fid, "from_fraction": 1.0, "match": "same id"})
            how["same id"] += 1
            continue
        if name in by_name:
            rows.append(
                {"from_id": fid, "to_id": by_name[name], "from_fraction": 1.0, "match": "same name"}
            )
            how["same name"] += 1
            continue
        # Similar names match words (com__Hospital ~ Hospital), never numbers: 2012 is not 2020.
        close = (
            []
            if any(ch.isdigit() for ch in name)
            else difflib.get_close_matches(name, list(by_name), n=1, cutoff=0.75)
        )
        if close:
            rows.append(
                {
                    "from_id": fid,
                    "to_id": by_name[close[0]],
                    "from_fraction": 1.0,
                    "match": f"similar name ({close[0]})",
                }
            )
            how["similar name"] += 1
            continue
        rows.append({"from_id": fid, "to_id": "", "from_fraction": 1.0, "match": "no match"})
        how["no match"] += 1
    targets = Counter(r["to_id"] for r in rows if r["to_id"])
    mapping_type = (
        "one_to_one" if targets and max(targets.values()) == 1 else "many_to_one_aggregation"
    )
    return {
        "rows": rows,
        "mapping_type": Guess(
            mapping_type,
            "each from record maps to a different to record"
            if mapping_type == "one_to_one"
            else "several from records map to the same to record",
            certain=False,
        ),
        "summary": dict(how),
    }
