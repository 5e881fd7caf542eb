"""Approval states as recorded: one row per (unit, month, chain) where something was submitted,
approved, accepted or locked (no row = open). The chain is an indicator set with an approval chain of
its own, or ``""`` for the hierarchy's levels. What is in force for a unit is computed by
:func:`gosplan.engines.approvals.in_force` from these rows."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, select

from gosplan.store import schema
from gosplan.store._accounts import checks_changed
from gosplan.store._common import utc_now

APPROVAL_COLUMNS = ["unit", "period", "state", "level", "changed_by", "changed_at", "set_code"]
CHAIN_COLUMNS = ["set", "level", "kind"]


class ApprovalMixin:
    """Approval rows of the :class:`~gosplan.store.Store`."""

    def approval_rows(self, periods: Iterable[str] | None = None, set_code: str | None = None) -> pd.DataFrame:
        """Recorded states (of ``periods``, months ``YYYY-MM``; of one chain ``set_code``, default all):
        unit, period, state, level, changed_by, changed_at, set_code."""
        a = schema.approvals
        query = select(*(a.c[k] for k in APPROVAL_COLUMNS))
        if periods is not None:
            query = query.where(a.c.period.in_(sorted(set(periods))))
        if set_code is not None:
            query = query.where(a.c.set_code == set_code)
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(query.order_by(a.c.period, a.c.unit)).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=APPROVAL_COLUMNS).astype({"level": "int64"})

    def set_approval(self, unit: str, period: str, state: str, level: int, by: str,
                     conn: Connection | None = None, set_code: str = "") -> None:
        """Record ``state`` at ``unit`` for ``period`` in chain ``set_code`` (replacing what was recorded there)."""
        a = schema.approvals
        values = {"state": state, "level": int(level), "changed_by": by, "changed_at": utc_now()}
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            if c.execute(a.update().where(a.c.unit == unit, a.c.period == period, a.c.set_code == set_code)
                         .values(**values)).rowcount == 0:
                c.execute(a.insert().values(unit=unit, period=period, set_code=set_code, **values))
            checks_changed(c)

    def clear_approvals(self, units: Iterable[str], period: str, states: Iterable[str],
                        conn: Connection | None = None, set_code: str = "") -> int:
        """Remove the rows of ``units`` for ``period`` in chain ``set_code`` in one of ``states``; returns
        how many."""
        a = schema.approvals
        wanted = sorted(set(units))
        removed = 0
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            for start in range(0, len(wanted), 1000):
                removed += c.execute(a.delete().where(a.c.unit.in_(wanted[start:start + 1000]), a.c.period == period,
                                                      a.c.state.in_(list(states)), a.c.set_code == set_code)).rowcount
            if removed:
                checks_changed(c)
        return removed

    def write_approval_chain(self, set_code: str, kinds: list[str], conn: Connection | None = None) -> None:
        """Give indicator set ``set_code`` its own approval chain: the kind of unit acting at each level,
        from the submitting one up (an empty list removes the chain)."""
        t = schema.approval_chains
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            c.execute(t.delete().where(t.c.set_code == set_code))
            if kinds:
                c.execute(t.insert(), [{"set_code": set_code, "level": i, "kind": k} for i, k in enumerate(kinds)])
            checks_changed(c)  # a new chain changes what a submission may write

    def approval_chains(self) -> pd.DataFrame:
        """The indicator sets' own approval chains: set, level, kind (in level order)."""
        t = schema.approval_chains
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(t.c.set_code, t.c.level, t.c.kind).order_by(t.c.set_code, t.c.level)).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=CHAIN_COLUMNS).astype({"level": "int64"})
