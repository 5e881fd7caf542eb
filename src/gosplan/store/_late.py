"""Late entry: planners' permissions to enter a closed month, and the mark of revisions entered late."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, select

from gosplan.store import schema
from gosplan.store._common import utc_now

PERMISSION_COLUMNS = ["unit", "period", "granted_by", "granted_at", "reason"]
LATE_COLUMNS = ["indicator", "unit", "period", "revision", "entered_by", "permitted_by", "recorded_at"]


class LateMixin:
    """Late-entry permissions and late revisions of the :class:`~gosplan.store.Store`."""

    def grant_late(self, unit: str, period: str, by: str, reason: str, conn: Connection | None = None) -> None:
        p = schema.late_permissions
        values = {"granted_by": by, "granted_at": utc_now(), "reason": reason}
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            if c.execute(p.update().where(p.c.unit == unit, p.c.period == period).values(**values)).rowcount == 0:
                c.execute(p.insert().values(unit=unit, period=period, **values))

    def revoke_late(self, unit: str, period: str, conn: Connection | None = None) -> int:
        p = schema.late_permissions
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            return c.execute(p.delete().where(p.c.unit == unit, p.c.period == period)).rowcount

    def late_permissions(self, periods: Iterable[str] | None = None) -> pd.DataFrame:
        p = schema.late_permissions
        query = select(*(p.c[k] for k in PERMISSION_COLUMNS)).order_by(p.c.period, p.c.unit)
        if periods is not None:
            query = query.where(p.c.period.in_(sorted(set(periods))))
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(query).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=PERMISSION_COLUMNS)

    def mark_late(self, keys: list[tuple[str, str, str]], entered_by: str, permitted_by: list[str],
                  conn: Connection) -> int:
        """Mark the current revision of each (indicator, unit, period) as entered late. Call inside the
        transaction that wrote them, for keys whose value changed (so the current revision is the new one)."""
        if not keys:
            return 0
        r, i, u = schema.reports, schema.indicators, schema.units
        from gosplan.model import Period

        now = utc_now()
        rows: list[dict[str, Any]] = []
        for (indicator, unit, period), permit in zip(keys, permitted_by, strict=True):
            revision = conn.execute(
                select(r.c.revision).join(i, i.c.id == r.c.indicator_id).join(u, u.c.id == r.c.unit_id)
                .where(and_(i.c.code == indicator, u.c.code == unit, r.c.month == Period.parse(period).ordinal,
                            r.c.is_current))).scalar_one_or_none()
            if revision is not None:
                rows.append({"indicator": indicator, "unit": unit, "period": period, "revision": int(revision),
                             "entered_by": entered_by, "permitted_by": permit, "recorded_at": now})
        if rows:
            conn.execute(schema.late_reports.insert(), rows)
        return len(rows)

    def late_reports(self, periods: Iterable[str] | None = None, units: Iterable[str] | None = None,
                     indicators: Iterable[str] | None = None) -> pd.DataFrame:
        lr = schema.late_reports
        query = select(*(lr.c[k] for k in LATE_COLUMNS)).order_by(lr.c.period, lr.c.unit, lr.c.indicator,
                                                                  lr.c.revision)
        if periods is not None:
            query = query.where(lr.c.period.in_(sorted(set(periods))))
        if units is not None:
            query = query.where(lr.c.unit.in_(sorted(set(units))))
        if indicators is not None:
            query = query.where(lr.c.indicator.in_(sorted(set(indicators))))
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(query).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=LATE_COLUMNS)
