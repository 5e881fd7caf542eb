"""Input-output tables and sector capacities (mixed into :class:`~gosplan.store.Store`).

A table is stored by name in long format, one row per cell, in the frames of the demo economy's
``io_table``: ``Z`` (sector by sector, row sells to column), ``Y`` (sector by final-demand category),
``V`` (value-added rows by sector), ``x`` (gross output) and ``labour`` (workers). Writing a table
under an existing name replaces it whole; a table is one consistent set of numbers, so a partial
update would mix two vintages.
"""

from __future__ import annotations

import math

import pandas as pd
from sqlalchemy import Connection, delete, select

from gosplan.errors import NotFound, Problem
from gosplan.i18n import _
from gosplan.store import schema
from gosplan.store._common import WriteSummary, raise_problems, require_columns, utc_now

IO_PARTS = ("Z", "Y", "V", "x", "labour")
CAPACITY_COLUMNS = ["sector", "year", "capacity", "labour"]
IO_TABLE_COLUMNS = ["name", "year", "source", "recorded_at", "sectors"]
_VECTOR_COLUMN = {"x": "gross_output", "labour": "workers"}


def _long(part: str, frame: pd.DataFrame) -> pd.DataFrame:
    stacked = frame.stack()
    stacked.index.names = ["row", "col"]
    out = stacked.rename("value").reset_index()
    out["row"] = out["row"].astype(str)
    out["col"] = out["col"].astype(str)
    return out.assign(part=part)


def _check_io_frames(frames: dict[str, pd.DataFrame], source: str) -> None:
    problems: list[Problem] = []
    for part in ("Z", "Y"):
        if part not in frames:
            problems.append(Problem(source, None, None, _("missing part {part} (need Z and Y)", part=repr(part))))
    unknown = set(frames) - set(IO_PARTS)
    for part in sorted(unknown):
        problems.append(Problem(source, None, None, _("unknown part {part}; use {parts}", part=repr(part),
                                                                    parts=", ".join(IO_PARTS))))
    raise_problems(problems)
    sectors = [str(s) for s in frames["Z"].index]
    if [str(c) for c in frames["Z"].columns] != sectors:
        problems.append(Problem(source, None, None, _("Z must have the same sectors as rows and columns, in order")))
    for part, frame in frames.items():
        values = frame.apply(pd.to_numeric, errors="coerce")
        for row, col in zip(*values.isna().to_numpy().nonzero(), strict=True):
            problems.append(Problem(f"{source}:{part}", int(row) + 2, str(frame.columns[col]),
                                    _("not a number: {value}", value=repr(frame.iat[row, col]))))
            if len(problems) > 100:
                break
        if part in ("Y", "x", "labour") and set(map(str, frame.index)) != set(sectors):
            problems.append(Problem(f"{source}:{part}", None, None, _("rows must be the sectors of Z")))
        if part == "V" and set(map(str, frame.columns)) != set(sectors):
            problems.append(Problem(f"{source}:{part}", None, None, _("columns must be the sectors of Z")))
    raise_problems(problems)


class BalanceMixin:
    """IO tables and capacities (mixed into :class:`~gosplan.store.Store`)."""

    def _tx(self, conn: Connection | None):  # provided by Store
        raise NotImplementedError

    def write_io_table(self, name: str, year: int, frames: dict[str, pd.DataFrame], *, source: str = "",
                       conn: Connection | None = None) -> WriteSummary:
        """Store ``frames`` (``Z`` and ``Y`` required; ``V``, ``x``, ``labour`` optional) as table ``name``.

        An existing table of that name is replaced; the summary counts cells.
        """
        _check_io_frames(frames, source or name)
        cells = pd.concat([_long(part, frame.apply(pd.to_numeric)) for part, frame in frames.items()],
                          ignore_index=True)
        # Zero flows are not stored (real tables are mostly zeros); reading fills them back in.
        cells = cells[(cells["part"] != "Z") | (cells["value"] != 0)]
        rows = [{"table_name": name, "part": r.part, "row": r.row, "col": r.col, "value": float(r.value)}
                for r in cells.itertuples() if math.isfinite(float(r.value))]
        with self._tx(conn) as c:
            before = c.execute(select(schema.io_tables.c.name).where(schema.io_tables.c.name == name)).first()
            c.execute(delete(schema.io_cells).where(schema.io_cells.c.table_name == name))
            c.execute(delete(schema.io_tables).where(schema.io_tables.c.name == name))
            c.execute(schema.io_tables.insert().values(name=name, year=int(year), source=source or name,
                                                       recorded_at=utc_now()))
            if rows:
                c.execute(schema.io_cells.insert(), rows)
        return WriteSummary(new=0 if before else len(rows), updated=len(rows) if before else 0)

    def io_tables(self) -> pd.DataFrame:
        """The stored tables: name, year, source, recorded_at, sectors (count)."""
        t, cells = schema.io_tables, schema.io_cells
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            tables = c.execute(select(t.c.name, t.c.year, t.c.source, t.c.recorded_at).order_by(t.c.name)).all()
            sectors: dict[str, int] = {}
            for table_name, _row in c.execute(select(cells.c.table_name, cells.c.row)
                                               .where(cells.c.part == "Z").distinct()).all():
                sectors[table_name] = sectors.get(table_name, 0) + 1
        frame = pd.DataFrame([tuple(r) for r in tables], columns=IO_TABLE_COLUMNS[:-1])
        frame["sectors"] = frame["name"].map(sectors).fillna(0).astype(int)
        return frame

    def io_table(self, name: str | None = None) -> tuple[int, dict[str, pd.DataFrame]]:
        """(year, frames) of table ``name`` (default: the most recent year, then name); :class:`NotFound`."""
        t, cells = schema.io_tables, schema.io_cells
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            query = select(t.c.name, t.c.year)
            query = query.where(t.c.name == name) if name else query.order_by(t.c.year.desc(), t.c.name)
            head = c.execute(query).first()
            if head is None:
                raise NotFound(_("no input-output table {table}", table=repr(name)) if name else
                               _("no input-output table stored; load the demo or run `gosplan balance import`"))
            rows = c.execute(select(cells.c.part, cells.c.row, cells.c.col, cells.c.value)
                             .where(cells.c.table_name == head.name)).all()
        long = pd.DataFrame([tuple(r) for r in rows], columns=["part", "row", "col", "value"])
        frames: dict[str, pd.DataFrame] = {}
        for part, group in long.groupby("part", sort=False):
            wide = group.pivot(index="row", columns="col", values="value")
            wide.index.name, wide.columns.name = "sector", None
            frames[str(part)] = wide
        # Cells carry no position, so sectors come back sorted by code; a sector whose flows are all zero
        # has no Z cells and is known from the vectors.
        order = sorted(set(frames["Z"].index) | set(frames["Z"].columns)
                       | {s for part in ("Y", "x", "labour") if part in frames for s in frames[part].index})
        frames["Z"] = frames["Z"].reindex(index=order, columns=order).fillna(0.0)
        for part in ("Y", "x", "labour"):
            if part in frames:
                frames[part] = frames[part].reindex(order).fillna(0.0)
        if "V" in frames:
            frames["V"] = frames["V"].reindex(columns=order).fillna(0.0)
            frames["V"].index.name = None
        return int(head.year), frames

    def write_capacities(self, frame: pd.DataFrame, conn: Connection | None = None) -> WriteSummary:
        """Insert or update capacities by (sector, year); columns sector, year, capacity, labour (optional)."""
        require_columns(frame, CAPACITY_COLUMNS[:3], "capacities")
        problems = []
        rows = []
        for i, record in enumerate(frame.to_dict("records")):
            try:
                capacity = float(record["capacity"])
                year = int(record["year"])
            except (TypeError, ValueError):
                problems.append(Problem("capacities", i + 2, "capacity", _("capacity and year must be numbers")))
                continue
            if not capacity >= 0:
                problems.append(Problem("capacities", i + 2, "capacity",
                                        _("must be >= 0, got {value}", value=capacity)))
            labour = record.get("labour")
            labour = None if labour is None or pd.isna(labour) else float(labour)
            rows.append({"sector": str(record["sector"]), "year": year, "capacity": capacity, "labour": labour})
        raise_problems(problems)
        return self._upsert_keyed(schema.capacities, rows, ["sector", "year"], conn)  # type: ignore[attr-defined]

    def capacities(self, year: int | None = None) -> pd.DataFrame:
        """Stored capacities (sector, year, capacity, labour), of one ``year`` if given."""
        cap = schema.capacities
        query = select(*(cap.c[k] for k in CAPACITY_COLUMNS)).order_by(cap.c.year, cap.c.sector)
        if year is not None:
            query = query.where(cap.c.year == int(year))
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(query).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=CAPACITY_COLUMNS)
