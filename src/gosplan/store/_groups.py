"""Unit groupings beside the territorial hierarchy: one row per (unit, grouping) naming the unit's group,
e.g. ``("coal.kujang", "ministry", "coal", "Ministry of Coal Industry")`` or
``("elec.supung", "technology", "hydro", "Hydro power")``."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from gosplan.store import schema
from gosplan.store._common import WriteSummary, in_reader_language, korean_texts, require_columns

UNIT_GROUP_COLUMNS = ["unit", "grouping", "group_code", "group_name"]


class GroupMixin:
    """Reads and writes of ``unit_groups`` (mixed into :class:`~gosplan.store.Store`)."""

    def write_unit_groups(self, frame: pd.DataFrame, conn: Connection | None = None) -> WriteSummary:
        """Insert or replace each unit's group in each grouping (key: unit, grouping).

        >>> from gosplan.store import Store
        >>> store = Store.open("sqlite://")
        >>> rows = pd.DataFrame([("M1", "ministry", "coal", "Coal industry")], columns=UNIT_GROUP_COLUMNS)
        >>> store.write_unit_groups(rows).new, store.unit_groups("ministry")["group_code"].tolist()
        (1, ['coal'])
        """
        require_columns(frame, UNIT_GROUP_COLUMNS, "unit_groups")
        rows = korean_texts(frame, [{k: str(r[k]) for k in UNIT_GROUP_COLUMNS} for r in frame.to_dict("records")],
                            "group_name_ko")
        return self._upsert_keyed(schema.unit_groups, rows, ["unit", "grouping"], conn)  # type: ignore[attr-defined]

    def unit_groups(self, grouping: str | None = None, localized: bool = True) -> pd.DataFrame:
        """Rows of ``unit_groups`` (of one ``grouping`` if given), ordered by grouping and unit; with
        ``localized`` the group names are in the reader's language where the store has them.

        >>> from gosplan.i18n import use_language
        >>> from gosplan.store import Store
        >>> store = Store.open("sqlite://")
        >>> rows = pd.DataFrame([("M1", "ministry", "coal", "Coal industry", "석탄공업성")],
        ...                     columns=[*UNIT_GROUP_COLUMNS, "group_name_ko"])
        >>> _ = store.write_unit_groups(rows)
        >>> with use_language("ko"):
        ...     store.unit_groups("ministry")["group_name"].tolist()
        ['석탄공업성']
        """
        t = schema.unit_groups
        query = select(*(t.c[k] for k in UNIT_GROUP_COLUMNS), t.c.group_name_ko).order_by(t.c.grouping, t.c.unit)
        if grouping is not None:
            query = query.where(t.c.grouping == grouping)
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(query).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=[*UNIT_GROUP_COLUMNS, "group_name_ko"])
        return in_reader_language(frame, "group_name") if localized else frame[UNIT_GROUP_COLUMNS]

    def groupings(self) -> list[str]:
        """The groupings that have at least one unit, in order."""
        t = schema.unit_groups
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            return [r[0] for r in c.execute(select(t.c.grouping).distinct().order_by(t.c.grouping)).all()]
