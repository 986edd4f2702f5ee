"""Time alignment: how a dataset's time is laid onto the project's time, as dsgrid 0.4 (with
chronify) computes it, written from its documented rules.

Each conversion builds a `TimeMap`: one row per (dataset time key, project instant) with the
factor its value is multiplied by. The submission check verifies that the map covers every
project time step exactly once per time zone; queries can join it to the stored data.

Modules: `project_steps` (the project's required instants, leap-day adjustment),
`shift` (interval-type shifts and wrapping), `dst` (the daylight-saving adjustment of index
time), `notices` (options that do not apply, ignored with a warning), and one module per
conversion: `datetime_map`, `std_clock_map` (datetimes in each geography's standard clock),
`index_map`, `representative_map`, `annual_map`. `align` picks the conversion.
"""

from dsgrid_core.timealign.align import AlignOptions, TimeMap, align

__all__ = ["AlignOptions", "TimeMap", "align"]
