"""Construction projects, their milestones and progress revisions; farms; weather events; action details.

Projects, milestones, farms and weather events are upserted by their key (a repeated key with new
content updates the row). Progress reports are never overwritten: a changed value for a project and
month becomes a new revision, the latest revision is current, and who wrote it lives in ``batches``
as for reports.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, and_, select

from gosplan.errors import Problem, ValidationError
from gosplan.i18n import _
from gosplan.model import ACTION_COLUMNS
from gosplan.store import schema
from gosplan.store._common import (
    RELATIVE_TOLERANCE,
    WriteSummary,
    in_reader_language,
    korean_texts,
    month_labels,
    month_ordinals,
    new_batch,
    none_if_missing,
    raise_problems,
    require_columns,
    unknown_code,
)

PROJECT_COLUMNS = ["code", "name", "unit", "budget", "start", "planned_end", "dwellings"]
MILESTONE_COLUMNS = ["project", "milestone", "planned_date", "planned_value", "dwellings"]
PROGRESS_COLUMNS = ["project", "period", "percent_complete", "actual_cost", "dwellings_completed"]
PROGRESS_HISTORY_COLUMNS = [*PROGRESS_COLUMNS, "revision", "source", "recorded_by", "recorded_at", "current"]
FARM_STORE_COLUMNS = ["unit", "crop_area_ha", "irrigated_ha"]
WEATHER_STORE_COLUMNS = ["province", "period", "kind", "severity", "description"]
_PROGRESS_VALUES = ["percent_complete", "actual_cost", "dwellings_completed"]


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            x, y = float(a), float(b)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return abs(x - y) <= RELATIVE_TOLERANCE * (abs(x) + abs(y))
    return a == b


def _rows(frame: pd.DataFrame, columns: Sequence[str], defaults: dict[str, Any] | None = None
          ) -> list[dict[str, Any]]:
    defaults = defaults or {}
    out = []
    for record in frame.to_dict("records"):
        row = {}
        for column in columns:
            value = none_if_missing(record.get(column))
            row[column] = defaults.get(column) if value is None else value
        out.append(row)
    return out


class ProjectMixin:
    """Projects, progress revisions, farms, weather events (mixed into :class:`~gosplan.store.Store`)."""

    def _tx(self, conn: Connection | None):  # provided by Store
        raise NotImplementedError

    # -- generic keyed upsert ------------------------------------------------------------------------

    def _upsert_keyed(self, table: Table, rows: list[dict[str, Any]], keys: Sequence[str],
                      conn: Connection | None) -> WriteSummary:
        data = [c for c in rows[0] if c not in keys] if rows else []
        new = updated = unchanged = 0
        with self._tx(conn) as c:
            existing = {tuple(r[:len(keys)]): tuple(r[len(keys):]) for r in
                        c.execute(select(*(table.c[k] for k in keys), *(table.c[d] for d in data))).all()}
            for row in rows:
                key = tuple(row[k] for k in keys)
                after = tuple(row[d] for d in data)
                before = existing.get(key)
                if before is None:
                    c.execute(table.insert().values(**row))
                    new += 1
                elif all(_same(a, b) for a, b in zip(before, after, strict=True)):
                    unchanged += 1
                else:
                    where = and_(*(table.c[k] == row[k] for k in keys))
                    c.execute(table.update().where(where).values(**{d: row[d] for d in data}))
                    updated += 1
                existing[key] = after
        return WriteSummary(new, updated, unchanged)

    def _read_table(self, table: Table, columns: Sequence[str], order: Sequence[str]) -> pd.DataFrame:
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(*(table.c[k] for k in columns)).order_by(*(table.c[k] for k in order))).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))

    def _known_projects(self, c: Connection) -> set[str]:
        return set(c.execute(select(schema.projects.c.code)).scalars())

    def _check_projects(self, c: Connection, frame: pd.DataFrame, source: str) -> None:
        known = self._known_projects(c)
        bad = ~frame["project"].astype(str).isin(known)
        raise_problems([Problem(source, int(i) + 2, "project", unknown_code("project", frame["project"].iloc[i]))
                        for i in np.flatnonzero(bad.to_numpy())[:1000]])

    # -- projects and milestones ------------------------------------------------------------------------

    def write_projects(self, frame: pd.DataFrame, conn: Connection | None = None) -> WriteSummary:
        """Insert or update projects by code (columns: code, name, unit, budget, start, planned_end,
        dwellings; start and planned_end as ``YYYY-MM``)."""
        require_columns(frame, PROJECT_COLUMNS[:-1], "projects")
        rows = korean_texts(frame, _rows(frame, PROJECT_COLUMNS, {"dwellings": 0.0}), "name_ko")
        for row in rows:
            row["budget"], row["dwellings"] = float(row["budget"]), float(row["dwellings"])
            row["start"], row["planned_end"] = str(row["start"])[:7], str(row["planned_end"])[:7]
        return self._upsert_keyed(schema.projects, rows, ["code"], conn)

    def projects(self) -> pd.DataFrame:
        """All projects, in the order they were first written (``PROJECT_COLUMNS``)."""
        frame = self._read_table(schema.projects, [*PROJECT_COLUMNS, "name_ko"], ["id"])
        frame["dwellings"] = frame["dwellings"].astype("int64")
        return in_reader_language(frame, "name")

    def write_project_milestones(self, frame: pd.DataFrame, conn: Connection | None = None) -> WriteSummary:
        """Insert or update milestones by (project, milestone); the project must exist."""
        require_columns(frame, MILESTONE_COLUMNS[:-1], "project_milestones")
        rows = _rows(frame, MILESTONE_COLUMNS, {"dwellings": 0.0})
        for row in rows:
            row["planned_value"], row["dwellings"] = float(row["planned_value"]), float(row["dwellings"])
            row["planned_date"] = str(row["planned_date"])[:10]
        with self._tx(conn) as c:
            self._check_projects(c, frame.reset_index(drop=True), "project_milestones")
            return self._upsert_keyed(schema.project_milestones, rows, ["project", "milestone"], c)

    def project_milestones(self) -> pd.DataFrame:
        """Milestones of every project, in date order."""
        return self._read_table(schema.project_milestones, MILESTONE_COLUMNS,
                                ["project", "planned_date", "planned_value"])

    # -- progress (revisions) -------------------------------------------------------------------------

    def write_project_progress(self, frame: pd.DataFrame, *, source: str, recorded_by: str,
                               conn: Connection | None = None) -> WriteSummary:
        """Record monthly progress (project, period 'YYYY-MM', percent_complete, actual_cost,
        dwellings_completed). A changed value becomes a new revision; equal values write nothing."""
        require_columns(frame, PROGRESS_COLUMNS, source)
        frame = frame.reset_index(drop=True)
        months, problems = month_ordinals(frame["period"], source)
        raise_problems(problems)
        p = schema.project_progress
        new = updated = unchanged = 0
        with self._tx(conn) as c:
            self._check_projects(c, frame, source)
            current = {(r[0], r[1]): (r[2], tuple(r[3:])) for r in c.execute(
                select(p.c.project, p.c.month, p.c.revision, *(p.c[v] for v in _PROGRESS_VALUES))
                .where(p.c.is_current)).all()}
            batch_id = None
            for record, month in zip(frame.to_dict("records"), months.tolist(), strict=True):
                key = (str(record["project"]), int(month))
                values = tuple(float(record[v]) for v in _PROGRESS_VALUES)
                before = current.get(key)
                if before is not None and all(_same(a, b) for a, b in zip(before[1], values, strict=True)):
                    unchanged += 1
                    continue
                if batch_id is None:
                    batch_id = new_batch(c, "progress", source, recorded_by)
                revision = 1
                if before is not None:
                    revision = before[0] + 1
                    c.execute(p.update().where(and_(p.c.project == key[0], p.c.month == key[1],
                                                    p.c.revision == before[0])).values(is_current=False))
                    updated += 1
                else:
                    new += 1
                c.execute(p.insert().values(project=key[0], month=key[1], revision=revision, is_current=True,
                                            batch_id=batch_id, **dict(zip(_PROGRESS_VALUES, values, strict=True))))
                current[key] = (revision, values)
        return WriteSummary(new, updated, unchanged)

    def project_progress(self, last: str | None = None) -> pd.DataFrame:
        """Current progress of every project (``PROGRESS_COLUMNS``), up to month ``last`` if given."""
        p = schema.project_progress
        query = select(p.c.project, p.c.month, *(p.c[v] for v in _PROGRESS_VALUES)).where(p.c.is_current)
        if last is not None:
            from gosplan.model import Period

            query = query.where(p.c.month <= Period.parse(last).last_month().ordinal)
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(query.order_by(p.c.project, p.c.month)).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=["project", "month", *_PROGRESS_VALUES])
        frame.insert(1, "period", month_labels(frame["month"].to_numpy(dtype="int64")))
        return frame.drop(columns="month").astype({v: "float64" for v in _PROGRESS_VALUES})

    def project_progress_history(self, project: str | None = None) -> pd.DataFrame:
        """Every revision of progress reports with who wrote it and when (oldest first)."""
        p, b = schema.project_progress, schema.batches
        query = (select(p.c.project, p.c.month, *(p.c[v] for v in _PROGRESS_VALUES), p.c.revision, b.c.source,
                        b.c.recorded_by, b.c.recorded_at, p.c.is_current)
                 .join(b, b.c.id == p.c.batch_id).order_by(p.c.project, p.c.month, p.c.revision))
        if project is not None:
            query = query.where(p.c.project == project)
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(query).all()
        columns = ["project", "month", *_PROGRESS_VALUES, "revision", "source", "recorded_by", "recorded_at",
                   "current"]
        frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
        frame.insert(1, "period", month_labels(frame["month"].to_numpy(dtype="int64")))
        frame["current"] = frame["current"].astype(bool)
        return frame.drop(columns="month")[PROGRESS_HISTORY_COLUMNS]

    # -- farms and weather ---------------------------------------------------------------------------

    def write_farms(self, frame: pd.DataFrame, conn: Connection | None = None) -> WriteSummary:
        """Insert or update the crop area and irrigated area (hectares) of farm units."""
        require_columns(frame, FARM_STORE_COLUMNS, "farms")
        rows = _rows(frame, FARM_STORE_COLUMNS)
        for row in rows:
            row["crop_area_ha"], row["irrigated_ha"] = float(row["crop_area_ha"]), float(row["irrigated_ha"])
        return self._upsert_keyed(schema.farms, rows, ["unit"], conn)

    def farms(self) -> pd.DataFrame:
        return self._read_table(schema.farms, FARM_STORE_COLUMNS, ["unit"])

    def write_weather_events(self, frame: pd.DataFrame, conn: Connection | None = None) -> WriteSummary:
        """Insert or update abnormal-weather events by (province, period, kind)."""
        require_columns(frame, WEATHER_STORE_COLUMNS[:-1], "weather_events")
        rows = korean_texts(frame, _rows(frame, WEATHER_STORE_COLUMNS, {"description": ""}), "description_ko")
        for row in rows:
            row["severity"] = float(row["severity"])
        return self._upsert_keyed(schema.weather_events, rows, ["province", "period", "kind"], conn)

    def weather_events(self, year: int | None = None) -> pd.DataFrame:
        """Weather events in period order (of ``year`` only, if given)."""
        frame = self._read_table(schema.weather_events, [*WEATHER_STORE_COLUMNS, "description_ko"],
                                 ["period", "province", "kind"])
        frame = in_reader_language(frame, "description")
        if year is not None:
            frame = frame[frame["period"].str[:4].eq(str(year))].reset_index(drop=True)
        return frame

    # -- action details --------------------------------------------------------------------------------

    def actions_with_details(self, status: str | list[str] | None = None) -> pd.DataFrame:
        """:meth:`actions` plus a ``details`` column of dicts (the JSON kept with each action)."""
        frame = self.actions(status=status)  # type: ignore[attr-defined]
        a = schema.actions
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            details = dict(c.execute(select(a.c.id, a.c.details)).all())
        frame["details"] = [json.loads(details.get(i) or "{}") for i in frame["id"].tolist()]
        return frame[[*ACTION_COLUMNS, "details"]]

    def action(self, action_id: int) -> dict[str, Any]:
        """One action as a dict (with ``details``); :class:`NotFound` for an unknown id."""
        from gosplan.errors import NotFound

        frame = self.actions_with_details()
        found = frame[frame["id"].eq(int(action_id))]
        if found.empty:
            raise NotFound(_("no action with id {id}", id=action_id))
        return found.iloc[0].to_dict()


__all__ = ["ProjectMixin", "ValidationError"]
