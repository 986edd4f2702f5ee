"""The home search over real registries (test_efs and the small demo): words, word forms and
prefixes find what the literal text did not ("county" -> Counties, "hospitals" -> Hospital),
with the expected hits worked out here from the raw configs and record files."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import json5
import pytest

from dsgrid_core.browse.summary import search
from dsgrid_core.service import open_registry


def split_words(text: str) -> list[str]:
    """Lowercased words: runs of letters or digits, camelCase split (written for the test)."""
    return [w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+", text or "")]


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def file_dimensions(config_path: Path) -> list[tuple[str, Path]]:
    """(name, record file) of the dimensions a project or dataset config defines by file."""
    config = json5.loads(config_path.read_text())
    dims = config["dimensions"]
    if isinstance(dims, dict):
        dims = dims.get("base_dimensions", []) + dims.get("supplemental_dimensions", [])
    return [(d["name"], config_path.parent / d["file"]) for d in dims if "file" in d]


def efs_records(test_data: Path, wanted) -> set[tuple[str, str, str]]:
    """(dimension name, record id, record name) of the test_efs records with a word for which
    ``wanted(word)`` holds, from the project's and the registered datasets' record files."""
    bulk = json5.loads((test_data / "test_efs_registration.json5").read_text())
    configs = [test_data / p["config_file"] for p in bulk["projects"] + bulk["datasets"]]
    found = set()
    for config in configs:
        for name, path in file_dimensions(config):
            for row in read_csv(path):
                if any(wanted(w) for w in split_words(row["id"]) + split_words(row["name"])):
                    found.add((name, row["id"], row["name"]))
    return found


def record_hits(answer) -> set[tuple[str, str, str]]:
    return {(r["dimension_name"], r["record_id"], r["record_name"]) for r in answer["records"]}


@pytest.fixture(scope="module")
def efs(efs_registry_template):
    return open_registry(efs_registry_template, read_only=True)


def test_county_finds_the_county_dimension_and_the_county_records(efs, test_data):
    # a word "county" or "counties", or a word starting with "county"
    expected = efs_records(test_data, lambda w: w == "counties" or w.startswith("county"))
    assert len(expected) >= 5  # the test_efs counties are named "... County"
    for text in ("county", "County", "counties"):
        found = search(efs, text, limit=100)
        assert record_hits(found) == expected, text
        counties = [c for c in found["components"] if c["kind"] == "dimension"]
        assert "US Counties 2010 - ComStock Only" in {c["name"] for c in counties}
        assert all(c["matched"] for c in found["components"] + found["records"])
    # "county": the record names hold the whole word; the dimension's name a word form
    found = search(efs, "county", limit=100)
    dimension = next(c for c in found["components"] if c["name"].startswith("US Counties"))
    assert {"field": "name", "words": ["Counties"], "how": "word form of 'county'"} in dimension[
        "matched"
    ]
    record = found["records"][0]
    assert record["matched"] == [
        {"field": "record_name", "words": ["County"], "how": "whole word 'county'"}
    ]


def test_hospitals_finds_the_hospital_subsector_records(efs, test_data):
    expected = efs_records(test_data, lambda w: w in ("hospital", "hospitals"))
    assert len(expected) == 2
    found = search(efs, "hospitals")
    assert record_hits(found) == expected
    assert {r["type"] for r in found["records"]} == {"subsector"}
    for record in found["records"]:
        assert {"how": "word form of 'hospitals'"}.items() <= record["matched"][0].items()
    # the prefix finds them too
    assert record_hits(search(efs, "hosp")) == expected


def test_a_word_nobody_uses_finds_nothing(efs, demo_registry):
    demo = open_registry(demo_registry[0], read_only=True)
    for registry in (efs, demo):
        assert search(registry, "zzqxv") == {"components": [], "records": []}
        assert search(registry, "county zzqxv") == {"components": [], "records": []}
        assert search(registry, " -_. ") == {"components": [], "records": []}


def test_demo_counties_dimension_and_the_hospital_subsector(demo_registry):
    registry_path, inputs = demo_registry
    registry = open_registry(registry_path, read_only=True)
    project = json5.loads((inputs / "project.json5").read_text())
    base = project["dimensions"]["base_dimensions"]
    geography = next(d for d in base if d["type"] == "geography")
    subsectors = next(d for d in base if d["type"] == "subsector")
    assert "Counties" in geography["name"]

    found = search(registry, "counties")
    first = found["components"][0]  # the whole word in a dimension's id and name
    assert (first["kind"], first["name"]) == ("dimension", geography["name"])
    found = search(registry, "county")
    assert geography["name"] in {c["name"] for c in found["components"] if c["kind"] == "dimension"}

    hospitals = {
        (subsectors["name"], r["id"], r["name"])
        for r in read_csv(inputs / subsectors["file"])
        if "hospital" in split_words(r["name"])
    }
    assert hospitals
    assert hospitals <= record_hits(search(registry, "hospitals"))


def test_the_limit_holds_and_the_answer_keeps_its_fields(efs):
    found = search(efs, "co", limit=3)
    assert len(found["components"]) == 3 and len(found["records"]) == 3
    assert set(found["components"][0]) == {
        "kind",
        "id",
        "name",
        "type",
        "version",
        "description",
        "matched",
    }
    assert set(found["records"][0]) == {
        "dimension_id",
        "version",
        "record_id",
        "record_name",
        "dimension_name",
        "type",
        "matched",
    }
