"""The word search of dsgrid_core.browse.text_match: words (camelCase, underscores, ...), word
forms (a small stemmer), prefixes, every query word required, the ranking, and the ``matched``
explanation, on hand-made components and records with the expectations written out here."""

from __future__ import annotations

import pytest

from dsgrid_core.browse import text_match as tm


def test_words_split_on_separators_and_camel_case():
    assert tm.words("demo_counties") == ["demo", "counties"]
    assert tm.words("DemoCounties") == ["Demo", "Counties"]
    assert tm.words("us-counties.2010 comstock") == ["us", "counties", "2010", "comstock"]
    assert tm.words("HTTPServer co2Emissions") == ["HTTP", "Server", "co2", "Emissions"]
    assert tm.words("window.__pwned") == ["window", "pwned"]
    assert tm.words("Demo BA DE-1 (synthetic)") == ["Demo", "BA", "DE", "1", "synthetic"]
    assert tm.words("") == [] and tm.words(None) == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("county", "counties"),
        ("County", "COUNTIES"),
        ("hospital", "hospitals"),
        ("heat", "heating"),  # decided: heating is a word form of heat (and heated)
        ("heat", "heated"),
        ("building", "buildings"),
        ("build", "buildings"),
        ("run", "running"),
        ("box", "boxes"),
        ("gas", "gases"),
        ("store", "stored"),
        ("storing", "store"),
        ("aggregation", "aggregated"),
        ("aggregate", "aggregations"),
        ("state", "states"),
    ],
)
def test_word_forms_share_a_stem(a, b):
    assert tm.stem(a) == tm.stem(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("count", "county"),  # a prefix, not a word form
        ("county", "country"),
        ("class", "clas"),  # -ss is no plural
        ("status", "statu"),
        ("bill", "bil"),  # billing keeps its ll
        ("use", "us"),  # short words stay whole
        ("co2", "co"),
    ],
)
def test_other_words_do_not_share_a_stem(a, b):
    assert tm.stem(a) != tm.stem(b)


def test_a_needle_is_inside_every_word_a_query_word_matches():
    assert tm.needle("county") == "count"  # both county and counties contain it
    assert tm.needle("counties") == "count"
    assert tm.needle("hospitals") == "hospital"
    assert tm.needle("heating") == "heat"
    assert tm.parse("Demo Counties demo").needles == ["demo", "count"]
    assert tm.parse("  ") is None and tm.parse("%_-") is None


COMPONENTS = [
    {
        "kind": "dimension",
        "id": "demo_counties",
        "name": "Demo Counties",
        "type": "geography",
        "version": "1.0.0",
        "description": "The counties of two states.",
    },
    {
        "kind": "dimension",
        "id": "county",
        "name": "County",
        "type": "geography",
        "version": "1.0.0",
        "description": "",
    },
    {
        "kind": "dataset",
        "id": "comstock",
        "name": "ComStock",
        "type": "modeled",
        "version": "1.1.0",
        "description": "One row per county and subsector.",
    },
    {
        "kind": "dimension",
        "id": "countryCodes",
        "name": "Country codes",
        "type": "geography",
        "version": "1.0.0",
        "description": "ISO codes.",
    },
    {
        "kind": "project",
        "id": "efs",
        "name": "Electrification Futures",
        "type": None,
        "version": "2.0.0",
        "description": "Heating and cooling loads of hospitals.",
    },
]
RECORDS = [
    {
        "dimension_id": "subsectors",
        "version": "1.0.0",
        "record_id": "Hospital",
        "record_name": "Hospital",
        "dimension_name": "Subsectors",
        "type": "subsector",
    },
    {
        "dimension_id": "subsectors",
        "version": "1.0.0",
        "record_id": "OutpatientHospital",
        "record_name": "Outpatient hospital",
        "dimension_name": "Subsectors",
        "type": "subsector",
    },
    {
        "dimension_id": "counties",
        "version": "1.0.0",
        "record_id": "10001",
        "record_name": "Kent County",
        "dimension_name": "Counties",
        "type": "geography",
    },
    {
        "dimension_id": "end_uses",
        "version": "1.0.0",
        "record_id": "com_heating",
        "record_name": "Heating",
        "dimension_name": "End uses",
        "type": "metric",
    },
]


def components(text: str) -> list[tuple[str, str]]:
    return [(c["kind"], c["id"]) for c in tm.rank_components(tm.parse(text), COMPONENTS)]


def records(text: str) -> list[str]:
    return [r["record_id"] for r in tm.rank_records(tm.parse(text), RECORDS)]


def test_county_finds_word_forms_ranked_exact_then_whole_words_then_forms():
    assert components("county") == [
        ("dimension", "county"),  # the whole id and name
        ("dataset", "comstock"),  # a whole word (in the description)
        ("dimension", "demo_counties"),  # a word form: counties
    ]  # not countryCodes: county is not a word form, nor a prefix, of country
    assert components("counties") == [
        ("dimension", "demo_counties"),  # whole word
        ("dimension", "county"),  # word forms, in the id and name
        ("dataset", "comstock"),  # a word form in the description only
    ]
    assert records("county") == ["10001"]


def test_prefixes_rank_after_word_forms():
    # coun: a prefix of county, counties, country; ties by kind, then id
    assert components("coun") == [
        ("dimension", "countryCodes"),
        ("dimension", "county"),
        ("dimension", "demo_counties"),
        ("dataset", "comstock"),  # in the description only: after those in an id or name
    ]
    assert components("c") == []  # a single letter starts no word
    assert records("hosp") == ["Hospital", "OutpatientHospital"]


def test_hospitals_finds_hospital_records_and_heating_finds_heat_forms():
    assert records("hospitals") == ["Hospital", "OutpatientHospital"]
    assert records("heat") == ["com_heating"]
    assert components("hospital") == [("project", "efs")]


def test_every_query_word_must_match():
    assert components("demo county") == [("dimension", "demo_counties")]
    assert components("county subsector") == [("dataset", "comstock")]  # words in two fields
    assert components("county zebra") == []
    assert records("outpatient hospitals") == ["OutpatientHospital"]
    assert records("zzz") == []


def test_the_whole_id_in_other_words_ranks_first():
    # "demo counties" is the id demo_counties in words: exact, ahead of the whole-word hits
    assert components("Demo Counties")[0] == ("dimension", "demo_counties")
    hit = tm.rank_components(tm.parse("demo counties"), COMPONENTS)[0]
    assert hit["matched"][:2] == [
        {"field": "id", "words": ["demo_counties"], "how": "exact match"},
        {"field": "name", "words": ["Demo Counties"], "how": "exact match"},
    ]


def test_matched_says_which_words_of_which_field_and_how():
    hits = tm.rank_components(tm.parse("county"), COMPONENTS)
    (hit,) = [c for c in hits if c["id"] == "demo_counties"]
    assert hit["matched"] == [
        {"field": "id", "words": ["counties"], "how": "word form of 'county'"},
        {"field": "name", "words": ["Counties"], "how": "word form of 'county'"},
        {"field": "description", "words": ["counties"], "how": "word form of 'county'"},
    ]
    # the hit keeps every field it had, and gains only `matched`
    assert {k: v for k, v in hit.items() if k != "matched"} == COMPONENTS[0]
    (record,) = tm.rank_records(tm.parse("hosp outpatient"), RECORDS)
    assert record["matched"] == [
        {"field": "record_id", "words": ["Hospital"], "how": "starts with 'hosp'"},
        {"field": "record_id", "words": ["Outpatient"], "how": "whole word 'outpatient'"},
        {"field": "record_name", "words": ["hospital"], "how": "starts with 'hosp'"},
        {"field": "record_name", "words": ["Outpatient"], "how": "whole word 'outpatient'"},
    ]
    assert tm.explain(record["matched"][:2]) == (
        "id: Hospital (starts with 'hosp'); id: Outpatient (whole word 'outpatient')"
    )


def test_a_limit_keeps_the_best():
    assert [c["id"] for c in tm.rank_components(tm.parse("coun"), COMPONENTS, 2)] == [
        "countryCodes",
        "county",
    ]
