"""Approval states as recorded: one row per (unit, month) where something was submitted, approved,
accepted or locked (no row = open). What is in force for a unit is computed by
:func:`gosplan.engines.approvals.in_force` from these rows."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, select

from gosplan.store import schema
from gosplan.store._accounts import checks_changed
from gosplan.store._common import utc_now

APPROVAL_COLUMNS = ["unit", "period", "state", "level", "changed_by", "changed_at"]


class ApprovalMixin:
    """Approval rows of the :class:`~gosplan.store.Store`."""

    def approval_rows(self, periods: Iterable[str] | None = None) -> pd.DataFrame:
        """Recorded states (of ``periods``, months ``YYYY-MM``): unit, period, state, level, changed_by,
        changed_at."""
        a = schema.approvals
        query = select(*(a.c[k] for k in APPROVAL_COLUMNS))
        if periods is not None:
            query = query.where(a.c.period.in_(sorted(set(periods))))
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(query.order_by(a.c.period, a.c.unit)).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=APPROVAL_COLUMNS).astype({"level": "int64"})

    def set_approval(self, unit: str, period: str, state: str, level: int, by: str,
                     conn: Connection | None = None) -> None:
        """Record ``state`` at ``unit`` for ``period`` (replacing what was recorded there)."""
        a = schema.approvals
        values = {"state": state, "level": int(level), "changed_by": by, "changed_at": utc_now()}
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            if c.execute(a.update().where(a.c.unit == unit, a.c.period == period).values(**values)).rowcount == 0:
                c.execute(a.insert().values(unit=unit, period=period, **values))
            checks_changed(c)

    def clear_approvals(self, units: Iterable[str], period: str, states: Iterable[str],
                        conn: Connection | None = None) -> int:
        """Remove the rows of ``units`` for ``period`` in one of ``states``; returns how many."""
        a = schema.approvals
        wanted = sorted(set(units))
        removed = 0
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            for start in range(0, len(wanted), 1000):
                removed += c.execute(a.delete().where(a.c.unit.in_(wanted[start:start + 1000]), a.c.period == period,
                                                      a.c.state.in_(list(states)))).rowcount
            if removed:
                checks_changed(c)
        return removed
