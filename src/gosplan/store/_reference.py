"""Reference data: sectors, units, indicators, plans. Upserted by code, read back as frames.

Sectors, units, indicators and plans carry a Korean name (``name_ko``) beside the English one. They are read
back with ``name`` in the reader's language (:func:`gosplan.i18n.current_language`), the English name
standing in where no Korean one was given, so that every surface shows the reader's names without
asking for them; :meth:`ReferenceMixin.names` gives every language's name side by side.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, Table, bindparam, select

from gosplan.model import (
    INDICATOR_COLUMNS,
    INDICATOR_METADATA_COLUMNS,
    INDICATOR_TEXT_COLUMNS,
    INDICATOR_TEXT_COLUMNS_KO,
    PLAN_COLUMNS,
    SECTOR_COLUMNS,
    UNIT_COLUMNS,
)
from gosplan.store import schema
from gosplan.store._accounts import checks_changed
from gosplan.store._common import WriteSummary, in_reader_language, none_if_missing, require_columns

# Defaults of optional columns, as in the model's dataclasses.
_DEFAULTS: dict[str, dict[str, Any]] = {
    "sectors": {"parent": None},
    "units": {"parent": None, "sector": None},
    "indicators": {
        "aggregation": "sum",
        "time_aggregation": "sum",
        "direction": "higher",
        "sector": None,
        "key": False,
        "role": "output",
    },
    "plans": {"parent": None},
}
_COLUMNS = {
    "sectors": SECTOR_COLUMNS,
    "units": UNIT_COLUMNS,
    "indicators": INDICATOR_COLUMNS,
    "plans": PLAN_COLUMNS,
}
_CASTS = {"key": bool, "start_year": int, "end_year": int}
#: Tables whose rows are named in more than one language: the optional columns of the other languages.
_TRANSLATED = {"sectors": ("name_ko",), "units": ("name_ko",), "indicators": ("name_ko",), "plans": ("name_ko",)}


def _stored_columns(kind: str, frame: pd.DataFrame | None = None) -> list[str]:
    """The columns of ``kind`` in the store; with ``frame``, only the names in other languages that it
    has (a file without Korean names leaves the stored ones as they are)."""
    return [*_COLUMNS[kind], *(c for c in _TRANSLATED.get(kind, ()) if frame is None or c in frame)]


def in_language(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """``frame`` (with ``name`` and the other languages' names) with ``name`` in the current language
    (the English one where a name is missing) and the model's columns only."""
    return in_reader_language(frame, "name")[_COLUMNS[kind]]


def _text_or_none(value: Any) -> str | None:
    value = none_if_missing(value)
    return None if value is None or not str(value).strip() else str(value).strip()


def _clean(kind: str, frame: pd.DataFrame, extra: list[str] | None = None) -> list[dict[str, Any]]:
    """Rows as dicts with every column present, missing optional values filled with their default;
    ``extra`` columns are free texts (empty: None)."""
    columns = _stored_columns(kind, frame)
    defaults = {**_DEFAULTS[kind], **dict.fromkeys(_TRANSLATED.get(kind, ()))}
    require_columns(frame, [c for c in columns if c not in defaults], kind)
    rows = []
    for record in frame.to_dict("records"):
        row: dict[str, Any] = {}
        for column in columns:
            value = none_if_missing(record.get(column))
            if value is None:
                value = defaults.get(column)
            elif column in _CASTS:
                value = _CASTS[column](value)
            elif isinstance(value, str | int | float):
                value = str(value)
            row[column] = value
        for column in extra or []:
            row[column] = _text_or_none(record.get(column))
        rows.append(row)
    return rows


class ReferenceMixin:
    """Upserts and reads of the four reference tables (mixed into :class:`~gosplan.store.Store`)."""

    def _tx(self, conn: Connection | None):  # provided by Store
        raise NotImplementedError

    def _upsert(self, kind: str, table: Table, frame: pd.DataFrame, conn: Connection | None,
                extra: list[str] | None = None) -> WriteSummary:
        rows = _clean(kind, frame, extra)
        columns = [*_stored_columns(kind, frame), *(extra or [])]
        data_columns = [c for c in columns if c != "code"]
        with self._tx(conn) as c:
            existing = {
                row[0]: tuple(row[1:])
                for row in c.execute(select(table.c.code, *(table.c[col] for col in data_columns))).all()
            }
            new, changed, unchanged = [], [], 0
            for row in rows:
                before = existing.get(row["code"])
                after = tuple(row[col] for col in data_columns)
                if before is None:
                    new.append(row)
                elif before != after:
                    changed.append({**row, "b_code": row["code"]})
                else:
                    unchanged += 1
                existing[row["code"]] = after  # a code repeated in the same frame: the last one wins
            if new:
                c.execute(table.insert(), new)
            if changed:
                update = (
                    table.update()
                    .where(table.c.code == bindparam("b_code"))
                    .values({col: bindparam(col) for col in data_columns})
                )
                c.execute(update, changed)
            if new or changed:
                checks_changed(c)  # what every submission is checked against
        return WriteSummary(new=len(new), updated=len(changed), unchanged=unchanged)

    def _read(self, kind: str, table: Table) -> pd.DataFrame:
        columns = _stored_columns(kind)
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(*(table.c[col] for col in columns)).order_by(table.c.id)).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
        if "key" in frame:
            frame["key"] = frame["key"].astype(bool)
        for column in ("start_year", "end_year"):
            if column in frame:
                frame[column] = frame[column].astype("int64")
        return in_language(frame, kind) if kind in _TRANSLATED else frame

    def write_sectors(self, frame: pd.DataFrame, conn: Connection | None = None) -> WriteSummary:
        """Insert or update sectors by code (columns: ``model.SECTOR_COLUMNS``; parent optional)."""
        return self._upsert("sectors", schema.sectors, frame, conn)

    def write_units(self, frame: pd.DataFrame, conn: Connection | None = None) -> WriteSummary:
        """Insert or update reporting units by code (columns: ``model.UNIT_COLUMNS``)."""
        return self._upsert("units", schema.units, frame, conn)

    def write_indicators(self, frame: pd.DataFrame, conn: Connection | None = None) -> WriteSummary:
        """Insert or update indicators by code (``model.INDICATOR_COLUMNS``; defaults as in the model).

        Metadata columns (``model.INDICATOR_METADATA_COLUMNS``) present in ``frame`` are written too (an
        empty cell clears that field); those absent are left as stored. A change of metadata alone
        counts as an update."""
        present = [c for c in [*INDICATOR_METADATA_COLUMNS, *INDICATOR_TEXT_COLUMNS_KO] if c in frame.columns]
        return self._upsert("indicators", schema.indicators, frame, conn, extra=present)

    def indicator_metadata(self, localized: bool = True) -> pd.DataFrame:
        """code, name, unit and the metadata of every indicator (None where not given), in written order.

        With ``localized`` the name and the texts are in the reader's language where the store has them
        (the English ones otherwise); without, the English ones (what an SDMX structure labels ``en``)."""
        t = schema.indicators
        columns = ["code", "name", "unit", *INDICATOR_METADATA_COLUMNS]
        texts = ["name_ko", *INDICATOR_TEXT_COLUMNS_KO]
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(*(t.c[m] for m in [*columns, *texts])).order_by(t.c.id)).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=[*columns, *texts])
        if localized:
            for column in ["name", *INDICATOR_TEXT_COLUMNS]:
                frame = in_reader_language(frame, column)
        return frame[columns]

    def indicator_texts(self) -> pd.DataFrame:
        """code and every language's metadata texts of each indicator (``definition``, ``definition_ko``...)."""
        t = schema.indicators
        columns = ["code", "name", "name_ko", *INDICATOR_TEXT_COLUMNS, *INDICATOR_TEXT_COLUMNS_KO]
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(*(t.c[m] for m in columns)).order_by(t.c.id)).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=columns)

    def write_plans(self, frame: pd.DataFrame, conn: Connection | None = None) -> WriteSummary:
        """Insert or update plans by code (columns: ``model.PLAN_COLUMNS``)."""
        return self._upsert("plans", schema.plans, frame, conn)

    def sectors(self) -> pd.DataFrame:
        """All sectors, in the order they were first written."""
        return self._read("sectors", schema.sectors)

    def units(self) -> pd.DataFrame:
        """All reporting units, in the order they were first written."""
        return self._read("units", schema.units)

    def indicators(self) -> pd.DataFrame:
        """All indicators, in the order they were first written."""
        return self._read("indicators", schema.indicators)

    def names(self, kind: str) -> pd.DataFrame:
        """The names of the ``kind`` (sectors, units, indicators or plans) in every language: ``code``,
        ``name_en`` and ``name_ko`` (None where none was given)."""
        table = {"sectors": schema.sectors, "units": schema.units, "indicators": schema.indicators,
                 "plans": schema.plans}[kind]
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(table.c.code, table.c.name, table.c.name_ko).order_by(table.c.id)).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=["code", "name_en", "name_ko"])

    def plans(self) -> pd.DataFrame:
        """All plans, in the order they were first written."""
        return self._read("plans", schema.plans)
