"""Validation rules, min-max bounds and the violations found (stored as the service hands them over).

A violation is keyed by (rule, unit, period). Its status moves ``open -> follow-up -> resolved`` (or
``open -> resolved``); a run that no longer finds an open violation marks it ``cleared``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, and_, delete, select

from gosplan.errors import Conflict, NotFound
from gosplan.i18n import _
from gosplan.store import schema
from gosplan.store._accounts import checks_changed
from gosplan.store._common import utc_now

RULE_COLUMNS = ["code", "name", "left", "operator", "right", "severity"]
BOUND_STORE_COLUMNS = ["unit", "indicator", "low", "high", "generated", "updated_at"]
VIOLATION_STORE_COLUMNS = ["id", "rule", "unit", "period", "severity", "left_value", "right_value", "status",
                           "found_at", "comment", "changed_by", "changed_at"]
VIOLATION_STATUSES = ("open", "follow-up", "resolved", "cleared")


class RuleMixin:
    """Rules, bounds and violations of the :class:`~gosplan.store.Store`."""

    def write_rule(self, code: str, name: str, left: str, operator: str, right: str, severity: str,
                   conn: Connection | None = None) -> bool:
        """Create or replace a rule (checked by the service first); True when it is new."""
        r = schema.validation_rules
        values = {"name": name, "left": left, "operator": operator, "right": right, "severity": severity}
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            checks_changed(c)
            if c.execute(r.update().where(r.c.code == code).values(**values)).rowcount:
                return False
            c.execute(r.insert().values(code=code, created_at=utc_now(), **values))
            return True

    def delete_rule(self, code: str, conn: Connection | None = None) -> None:
        r = schema.validation_rules
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            if c.execute(r.delete().where(r.c.code == code)).rowcount == 0:
                raise NotFound(_("no rule {code}", code=repr(code)))
            checks_changed(c)

    def rules(self) -> pd.DataFrame:
        r = schema.validation_rules
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(*(r.c[k] for k in RULE_COLUMNS)).order_by(r.c.code)).all()
        return pd.DataFrame([tuple(x) for x in rows], columns=RULE_COLUMNS)

    def write_bounds(self, frame: pd.DataFrame, generated: bool, keep_edited: bool = True,
                     conn: Connection | None = None) -> int:
        """Store bounds (unit, indicator, low, high). Generated bounds never replace bounds edited by
        hand when ``keep_edited``. Returns the number of rows written."""
        b = schema.minmax_bounds
        now = utc_now()
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            edited = set()
            if generated and keep_edited:
                edited = {tuple(x) for x in c.execute(select(b.c.unit, b.c.indicator).where(~b.c.generated)).all()}
            rows = [{"unit": str(r.unit), "indicator": str(r.indicator), "low": float(r.low), "high": float(r.high),
                     "generated": generated, "updated_at": now}
                    for r in frame.itertuples(index=False) if (str(r.unit), str(r.indicator)) not in edited]
            for start in range(0, len(rows), 5000):
                chunk = rows[start:start + 5000]
                for unit, indicators in _by_unit(chunk).items():
                    c.execute(delete(b).where(b.c.unit == unit, b.c.indicator.in_(indicators)))
                c.execute(b.insert(), chunk)
            if rows:
                checks_changed(c)
        return len(rows)

    def bounds(self, units: Iterable[str] | None = None) -> pd.DataFrame:
        b = schema.minmax_bounds
        query = select(*(b.c[k] for k in BOUND_STORE_COLUMNS))
        wanted = None if units is None else sorted(set(units))
        if wanted is not None and len(wanted) <= 1000:
            query = query.where(b.c.unit.in_(wanted))
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(query).all()
        frame = pd.DataFrame([tuple(x) for x in rows], columns=BOUND_STORE_COLUMNS)
        if wanted is not None and len(wanted) > 1000:
            frame = frame[frame["unit"].isin(wanted)]
        return frame.astype({"low": float, "high": float}).reset_index(drop=True)

    def write_violations(self, frame: pd.DataFrame, clear: Iterable[tuple[str, str]] | None = None,
                         conn: Connection | None = None) -> tuple[int, int]:
        """Record violations (rule, unit, period, severity, left_value, right_value): new keys are
        open; an open or followed-up key gets the new values. With ``clear`` (pairs of rule and period
        that were judged in full) open violations of those pairs not in ``frame`` become ``cleared``.
        Returns (new, cleared)."""
        v = schema.rule_violations
        now = utc_now()
        new = cleared = 0
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            periods = sorted(set(frame["period"].astype(str))) if len(frame) else []
            scope = sorted({p for _, p in clear}) if clear else []
            stored = {}
            for period in sorted(set(periods) | set(scope)):
                for row in c.execute(select(v.c.id, v.c.rule, v.c.unit, v.c.status).where(v.c.period == period)):
                    stored[(row.rule, row.unit, period)] = (row.id, row.status)
            seen = set()
            inserts = []
            for r in frame.itertuples(index=False):
                key = (str(r.rule), str(r.unit), str(r.period))
                seen.add(key)
                values = {"severity": str(r.severity), "left_value": float(r.left_value),
                          "right_value": float(r.right_value)}
                if key not in stored:
                    inserts.append({"rule": key[0], "unit": key[1], "period": key[2], **values, "status": "open",
                                    "found_at": now})
                elif stored[key][1] in ("open", "follow-up", "cleared"):
                    status = "open" if stored[key][1] == "cleared" else stored[key][1]
                    c.execute(v.update().where(v.c.id == stored[key][0]).values(status=status, **values))
            if inserts:
                c.execute(v.insert(), inserts)
                new = len(inserts)
            pairs = set(clear or ())
            for key, (vid, status) in stored.items():
                if status == "open" and (key[0], key[2]) in pairs and key not in seen:
                    c.execute(v.update().where(v.c.id == vid).values(status="cleared", changed_at=now,
                                                                       changed_by="rules run"))
                    cleared += 1
        return new, cleared

    def violations(self, period: str | None = None, status: str | Iterable[str] | None = None) -> pd.DataFrame:
        v = schema.rule_violations
        query = select(*(v.c[k] for k in VIOLATION_STORE_COLUMNS)).order_by(v.c.period, v.c.rule, v.c.unit)
        if period is not None:
            query = query.where(v.c.period == str(period))
        if status is not None:
            query = query.where(v.c.status.in_([status] if isinstance(status, str) else list(status)))
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(query).all()
        frame = pd.DataFrame([tuple(x) for x in rows], columns=VIOLATION_STORE_COLUMNS)
        return frame.astype({"id": "int64", "left_value": float, "right_value": float})

    def violation(self, violation_id: int) -> dict | None:
        """One stored violation (its columns as in :meth:`violations`), or ``None``."""
        v = schema.rule_violations
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            row = c.execute(select(*(v.c[k] for k in VIOLATION_STORE_COLUMNS)).where(v.c.id == int(violation_id))
                            ).first()
        return None if row is None else dict(zip(VIOLATION_STORE_COLUMNS, row, strict=True))

    def set_violation_status(self, violation_id: int, status: str, comment: str | None, by: str,
                             allowed: tuple[str, ...], conn: Connection | None = None) -> None:
        """Move a violation to ``status`` from one of ``allowed``; :class:`Conflict` otherwise."""
        v = schema.rule_violations
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            current = c.execute(select(v.c.status).where(v.c.id == int(violation_id))).scalar_one_or_none()
            if current is None:
                raise NotFound(_("no violation with id {id}", id=violation_id))
            if current not in allowed:
                raise Conflict(_("violation {id} is {current}; it cannot become {status}", id=violation_id,
                                 current=current, status=status))
            c.execute(v.update().where(and_(v.c.id == int(violation_id), v.c.status == current))
                      .values(status=status, comment=comment, changed_by=by, changed_at=utc_now()))


def _by_unit(rows: list[dict]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row["unit"], []).append(row["indicator"])
    return out
