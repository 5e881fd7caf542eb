"""Versions of the action plan (table ``action_plans``): each version is a frozen JSON document."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select

from gosplan.errors import NotFound
from gosplan.i18n import _
from gosplan.store import schema
from gosplan.store._common import utc_now

PLAN_VERSION_COLUMNS = ["id", "period", "version", "status", "proposed_by", "proposed_at", "reason",
                        "adopted_by_body", "adopted_on", "recorded_by", "recorded_at"]


class ActionPlanMixin:
    """Reads and writes of ``action_plans`` (mixed into :class:`~gosplan.store.Store`)."""

    def add_action_plan_version(self, period: str, document: dict[str, Any], *, proposed_by: str,
                                reason: str | None = None, conn: Connection | None = None) -> int:
        """Store a new proposed version of the plan for ``period``; returns its version number.

        >>> from gosplan.store import Store
        >>> store = Store.open("sqlite://")
        >>> store.add_action_plan_version("2023-H1", {"actions": []}, proposed_by="ada")
        1
        """
        t = schema.action_plans
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            last = c.execute(select(func.max(t.c.version)).where(t.c.period == period)).scalar()
            version = int(last or 0) + 1
            c.execute(t.insert().values(period=period, version=version, status="proposed", proposed_by=proposed_by,
                                        proposed_at=utc_now(), reason=reason, document=json.dumps(document)))
        return version

    def action_plan_versions(self, period: str | None = None) -> pd.DataFrame:
        """Every version (of ``period`` if given), oldest first, without the documents."""
        t = schema.action_plans
        query = select(*(t.c[k] for k in PLAN_VERSION_COLUMNS)).order_by(t.c.period, t.c.version)
        if period is not None:
            query = query.where(t.c.period == period)
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(query).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=PLAN_VERSION_COLUMNS)

    def action_plan_version(self, period: str, version: int) -> dict[str, Any]:
        """One version with its ``document``; :class:`NotFound` if there is none."""
        t = schema.action_plans
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            row = c.execute(select(t).where(t.c.period == period, t.c.version == int(version))).mappings().first()
        if row is None:
            raise NotFound(_("no version {version} of the action plan for {period}", version=version, period=period))
        out = dict(row)
        out["document"] = json.loads(out["document"])
        return out

    def set_action_plan_status(self, period: str, version: int, status: str, *, body: str | None = None,
                               on: date | None = None, recorded_by: str | None = None,
                               conn: Connection | None = None) -> None:
        """Mark a version adopted (with body, date and recorder) or superseded."""
        t = schema.action_plans
        values: dict[str, Any] = {"status": status}
        if status == "adopted":
            values.update(adopted_by_body=body, adopted_on=on, recorded_by=recorded_by, recorded_at=utc_now())
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            c.execute(t.update().where(t.c.period == period, t.c.version == int(version)).values(**values))


__all__ = ["PLAN_VERSION_COLUMNS", "ActionPlanMixin"]
