"""Options of a dataset's entry that do not apply to its time and are ignored, as dsgrid 0.4
ignores them (with a log warning only); here each is said, naming the dataset, as a
`TimeAlignmentNotice` warning and in the time map's notes, so that it is not lost."""

from __future__ import annotations

import warnings

from dsgrid_core.config.time_dimension import IndexTimeConfig
from dsgrid_core.errors import Notice
from dsgrid_core.timealign.model import AlignOptions


class TimeAlignmentNotice(Notice):
    """An option of the dataset's entry in the project config was ignored."""


def ignored_options(dataset_time, options: AlignOptions) -> list[str]:
    """What the alignment ignores for this dataset (dsgrid's
    ``_validate_daylight_saving_adjustment``: the daylight-saving adjustment applies to index
    time only)."""
    dst = options.adjustment.daylight_saving_adjustment
    if not dst.active or isinstance(dataset_time, IndexTimeConfig):
        return []
    return [
        f"{options.source}: time_based_data_adjustment.daylight_saving_adjustment does not "
        f"apply to {dataset_time.time_type} time (only index time, profiles in standard "
        "time, is adjusted); it is ignored, as dsgrid does. Remove it from the dataset's "
        "entry in the project config"
    ]


def give_notices(notices: list[str]) -> None:
    for text in notices:
        warnings.warn(text, TimeAlignmentNotice, stacklevel=3)
