"""``supplemental_column_operator``: a ``column_operator`` (``isin``, ``like``, ``startswith``,
``endswith``, ``contains``) on the records of a supplemental dimension, by default (dsgrid's:
``like '%'``) every record; the base records mapped to those the condition selects."""

from __future__ import annotations

from dsgrid_core.config.query import SupplementalColumnOperatorFilter
from dsgrid_core.query.filter_types.column_operator import ColumnOperatorType


class SupplementalColumnOperatorType(ColumnOperatorType):
    model = SupplementalColumnOperatorFilter
