"""Alerts: targets at risk and detected exceptions, their acknowledgement, resolution and escalation.

An alert is keyed by (indicator, unit, kind, period): :meth:`AlertMixin.write_alerts` stores a key
once, so raising the alerts of the same month twice, or of the next month while a detected change
is still in its window, adds nothing. Status moves ``open -> acknowledged -> resolved`` (or ``open
-> resolved``); any other move is a :class:`~gosplan.errors.Conflict`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Connection, and_, select

from gosplan.errors import Conflict, NotFound, Problem, ValidationError
from gosplan.i18n import _
from gosplan.model import Period
from gosplan.store import schema
from gosplan.store._common import WriteSummary, in_reader_language, require_columns, utc_now

ALERT_STATUSES = ("open", "acknowledged", "resolved")
ALERT_STORE_COLUMNS = ["id", "indicator", "unit", "period", "kind", "severity", "score", "message", "status",
                       "raised", "created_at", "acknowledged_by", "acknowledged_at", "resolved_by",
                       "resolved_at", "escalation_level", "escalated_to"]
_KEY = ["indicator", "unit", "kind", "period"]
_REFRESHED = ["severity", "score", "message", "message_ko"]


class AlertMixin:
    """Alert records of the :class:`~gosplan.store.Store`."""

    def write_alerts(self, frame: pd.DataFrame, raised: str | Period, conn: Connection | None = None
                     ) -> WriteSummary:
        """Store alerts (``indicator, unit, period, kind, severity, score, message`` and optionally the
        message in Korean, ``message_ko``) raised in month ``raised``, open. A key already stored is not
        added again; while it is still open its severity, score and messages are refreshed (``updated``),
        otherwise it is left alone."""
        require_columns(frame, [*_KEY, "severity", "score", "message"], "alerts")
        month = str(Period.parse(raised).last_month())
        if frame.empty:
            return WriteSummary()
        records = frame.assign(period=frame["period"].astype(str)).drop_duplicates(_KEY, keep="last")
        problems = [Problem("alerts", i + 2, col, _("required")) for i, r in enumerate(records.to_dict("records"))
                    for col in ("indicator", "unit", "kind") if not r.get(col)]
        if problems:
            raise ValidationError(problems)
        a = schema.alerts
        new = updated = unchanged = 0
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            stored = {tuple(r[:4]): r[4:] for r in c.execute(
                select(a.c.indicator, a.c.unit, a.c.kind, a.c.period, a.c.id, a.c.status, a.c.severity,
                       a.c.score, a.c.message, a.c.message_ko)
                .where(a.c.indicator.in_(sorted(set(records["indicator"].astype(str)))))).all()}
            now = utc_now()
            for r in records.to_dict("records"):
                key = (str(r["indicator"]), str(r["unit"]), str(r["kind"]), str(r["period"]))
                korean = r.get("message_ko")
                values = {"severity": str(r["severity"]), "score": float(r["score"]), "message": str(r["message"]),
                          "message_ko": str(korean) if isinstance(korean, str) and korean else None}
                if key not in stored:
                    c.execute(a.insert().values(**dict(zip(_KEY, key, strict=True)), **values, status="open",
                                                raised=month, created_at=now, escalation_level=0))
                    new += 1
                    continue
                alert_id, status, *old = stored[key]
                if status == "open" and tuple(old) != tuple(values[k] for k in _REFRESHED):
                    c.execute(a.update().where(a.c.id == alert_id).values(**values))
                    updated += 1
                else:
                    unchanged += 1
        return WriteSummary(new, updated, unchanged)

    def alerts(self, status: str | Sequence[str] | None = None, units: Sequence[str] | None = None,
               indicators: Sequence[str] | None = None) -> pd.DataFrame:
        """Stored alerts, most urgent first (critical before warning, then by score), with
        :data:`ALERT_STORE_COLUMNS`; the message in the reader's language where the store has it."""
        a = schema.alerts
        query = select(*(a.c[col] for col in ALERT_STORE_COLUMNS), a.c.message_ko)
        for column, wanted in (("status", status), ("unit", units), ("indicator", indicators)):
            if wanted is not None:
                query = query.where(a.c[column].in_([wanted] if isinstance(wanted, str) else list(wanted)))
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(query.order_by(a.c.id)).all()
        frame = in_reader_language(pd.DataFrame([tuple(r) for r in rows], columns=[*ALERT_STORE_COLUMNS,
                                                                                    "message_ko"]), "message")
        frame["id"] = frame["id"].astype("int64")
        frame["score"] = frame["score"].astype(float)
        frame["escalation_level"] = frame["escalation_level"].astype("int64")
        order = frame["severity"].map({"critical": 0, "warning": 1}).fillna(2)
        frame = frame.assign(_o=order).sort_values(["_o", "score", "id"], ascending=[True, False, True])
        return frame.drop(columns="_o").reset_index(drop=True)

    def alert(self, alert_id: int) -> dict[str, Any]:
        """One alert as a dict; :class:`NotFound` for an unknown id."""
        a = schema.alerts
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            row = c.execute(select(*(a.c[col] for col in ALERT_STORE_COLUMNS))
                            .where(a.c.id == int(alert_id))).first()
        if row is None:
            raise NotFound(_("no alert with id {id}", id=alert_id))
        return dict(zip(ALERT_STORE_COLUMNS, tuple(row), strict=True))

    def acknowledge_alert(self, alert_id: int, by: str, conn: Connection | None = None) -> None:
        """``open -> acknowledged``; :class:`Conflict` from any other status."""
        self._move(alert_id, ("open",), "acknowledged", {"acknowledged_by": by, "acknowledged_at": utc_now()}, conn)

    def resolve_alert(self, alert_id: int, by: str, conn: Connection | None = None) -> None:
        """``open`` or ``acknowledged -> resolved``; :class:`Conflict` when already resolved."""
        self._move(alert_id, ("open", "acknowledged"), "resolved", {"resolved_by": by, "resolved_at": utc_now()},
                   conn)

    def set_escalation(self, frame: pd.DataFrame, conn: Connection | None = None) -> int:
        """Record where alerts stand (``id, level, escalated_to``); returns the number of rows changed."""
        require_columns(frame, ["id", "level", "escalated_to"], "escalation")
        a = schema.alerts
        changed = 0
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            for r in frame.to_dict("records"):
                result = c.execute(a.update().where(and_(
                    a.c.id == int(r["id"]),
                    (a.c.escalation_level != int(r["level"])) | a.c.escalated_to.is_distinct_from(r["escalated_to"]),
                )).values(escalation_level=int(r["level"]), escalated_to=str(r["escalated_to"])))
                changed += result.rowcount
        return changed

    def _move(self, alert_id: int, allowed: tuple[str, ...], status: str, values: dict[str, Any],
              conn: Connection | None) -> None:
        a = schema.alerts
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            current = c.execute(select(a.c.status).where(a.c.id == int(alert_id))).scalar_one_or_none()
            if current is None:
                raise NotFound(_("no alert with id {id}", id=alert_id))
            if current not in allowed:
                raise Conflict(_("alert {id} is {current}; it cannot become {status}", id=alert_id, current=current,
                                   status=status))
            # The status in the WHERE makes a concurrent move fail instead of overwriting it.
            result = c.execute(a.update().where(and_(a.c.id == int(alert_id), a.c.status == current))
                               .values(status=status, **values))
            if result.rowcount == 0:
                raise Conflict(_("alert {id} changed while it was being {status}", id=alert_id, status=status))
