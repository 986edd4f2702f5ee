"""dsgrid's project-query mapping_plans and spark_conf_per_dataset: what is read, what is
refused (the query runs as one statement here)."""

from __future__ import annotations

import copy

import pytest
from pydantic import ValidationError

from dsgrid_core.config.query import ProjectQueryConfig

BASE = {
    "name": "q",
    "project": {
        "project_id": "p",
        "dataset": {
            "dataset_id": "x",
            "source_datasets": [
                {"dataset_id": "a"},
                {
                    "dataset_id": "proj",
                    "dataset_type": "projection",
                    "initial_value_dataset_id": "init",
                    "growth_rate_dataset_id": "growth",
                },
            ],
        },
    },
}


def _with(**project) -> dict:
    query = copy.deepcopy(BASE)
    query["project"].update(project)
    return query


def test_mapping_plans_of_source_datasets_are_read():
    plans = [
        {"dataset_id": "a", "mappings": [{"name": "US States"}, {"name": "End uses"}]},
        {"dataset_id": "growth", "mappings": [{"name": "County"}]},
    ]
    config = ProjectQueryConfig.model_validate(_with(mapping_plans=plans))
    assert [p.dataset_id for p in config.project.mapping_plans] == ["a", "growth"]
    assert [m.name for m in config.project.mapping_plans[0].mappings] == [
        "US States",
        "End uses",
    ]


@pytest.mark.parametrize(
    ("project", "message"),
    [
        ({"mapping_plans": [{"dataset_id": "b"}]}, "dataset b is not a source dataset"),
        # a projection's sources are its initial values and growth rates, as in dsgrid
        ({"mapping_plans": [{"dataset_id": "proj"}]}, "dataset proj is not a source dataset"),
        (
            {"mapping_plans": [{"dataset_id": "a"}, {"dataset_id": "a"}]},
            "dataset a is listed more than once",
        ),
        (
            {"mapping_plans": [{"dataset_id": "a", "mappings": [{"name": "s", "persist": True}]}]},
            "writes no intermediate table",
        ),
        (
            {"mapping_plans": [{"dataset_id": "a", "keep_intermediate_files": True}]},
            "no intermediate files",
        ),
        (
            {"spark_conf_per_dataset": [{"dataset_id": "a", "conf": {"spark.x": "1"}}]},
            "Spark settings per dataset are not supported",
        ),
    ],
)
def test_what_cannot_be_honoured_is_refused(project, message):
    with pytest.raises(ValidationError, match=message):
        ProjectQueryConfig.model_validate(_with(**project))


def test_empty_spark_conf_per_dataset_is_accepted():
    config = ProjectQueryConfig.model_validate(_with(spark_conf_per_dataset=[]))
    assert config.project.spark_conf_per_dataset == []
