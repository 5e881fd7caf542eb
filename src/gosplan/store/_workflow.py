"""Indicator sets (what a unit owes every month) and the arrival of reports, for completeness.

An indicator set has a code, a name and indicators; it is assigned to units from a first month to a
last month (ordinals, ``None`` = open). :meth:`WorkflowMixin.report_arrivals` says, per (indicator,
unit), which months of a window have a report and which of those arrived by their deadline — as
bit masks made by the database from the first-arrival table (store/_arrivals.py), so a year of six
million reports comes back as 500,000 rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, func, select

from gosplan.errors import NotFound, Problem, ValidationError
from gosplan.i18n import _
from gosplan.store import _arrivals, schema
from gosplan.store._common import id_codes, unknown_code

ASSIGNMENT_COLUMNS = ["set", "unit", "first_month", "last_month"]


class WorkflowMixin:
    """Indicator sets and report arrivals of the :class:`~gosplan.store.Store`."""

    def write_indicator_set(self, code: str, name: str, indicators: Iterable[str],
                            conn: Connection | None = None) -> None:
        """Create or replace an indicator set (its name and its indicators; assignments are kept).
        Unknown indicator codes are refused, each named."""
        wanted = list(dict.fromkeys(str(i) for i in indicators))
        if not code or not wanted:
            raise ValidationError([Problem("indicator set", None, "code" if not code else "indicators",
                                           _("required"))])
        s, m = schema.indicator_sets, schema.indicator_set_members
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            known = set(c.execute(select(schema.indicators.c.code)).scalars())
            unknown = [i for i in wanted if i not in known]
            if unknown:
                raise ValidationError([Problem("indicator set", None, "indicators", unknown_code("indicator", i))
                                       for i in unknown])
            if c.execute(s.update().where(s.c.code == code).values(name=name)).rowcount == 0:
                c.execute(s.insert().values(code=code, name=name))
            c.execute(m.delete().where(m.c.set_code == code))
            c.execute(m.insert(), [{"set_code": code, "indicator": i} for i in wanted])

    def assign_indicator_set(self, code: str, units: Iterable[str], first_month: int | None = None,
                             last_month: int | None = None, conn: Connection | None = None) -> int:
        """Assign a set to units (replacing their earlier span of it); returns the number of units."""
        wanted = list(dict.fromkeys(str(u) for u in units))
        a = schema.indicator_set_units
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            if c.execute(select(schema.indicator_sets.c.code).where(schema.indicator_sets.c.code == code)
                         ).first() is None:
                raise NotFound(_("no indicator set {code}", code=repr(code)))
            known = set(c.execute(select(schema.units.c.code)).scalars())
            unknown = [u for u in wanted if u not in known]
            if unknown:
                raise ValidationError([Problem("assignment", None, "unit", unknown_code("unit", u))
                                       for u in unknown[:20]])
            for start in range(0, len(wanted), 1000):
                c.execute(a.delete().where(a.c.set_code == code, a.c.unit.in_(wanted[start:start + 1000])))
            c.execute(a.insert(), [{"set_code": code, "unit": u, "first_month": first_month,
                                    "last_month": last_month} for u in wanted])
        return len(wanted)

    def indicator_sets(self) -> pd.DataFrame:
        """Sets with their indicators: set, name, indicator (one row per member)."""
        s, m = schema.indicator_sets, schema.indicator_set_members
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(s.c.code, s.c.name, m.c.indicator).join(m, m.c.set_code == s.c.code)
                             .order_by(s.c.code, m.c.indicator)).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=["set", "name", "indicator"])

    def indicator_set_assignments(self) -> pd.DataFrame:
        """Assignments: set, unit, first_month, last_month (ordinals; NaN = open)."""
        a = schema.indicator_set_units
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(a.c.set_code, a.c.unit, a.c.first_month, a.c.last_month)).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=ASSIGNMENT_COLUMNS)
        return frame.astype({"first_month": "float64", "last_month": "float64"})

    def report_arrivals(self, first_month: int, last_month: int, deadlines: Mapping[int, datetime]
                        ) -> pd.DataFrame:
        """Per (indicator, unit) with a report in months ``[first_month, last_month]``: ``received``,
        the mask of months reported (bit ``i`` = month ``first_month + i``), and ``on_time``, the mask
        of months whose first revision arrived (its own ``recorded_at``, else its batch's time) no later
        than ``deadlines[month]``. Columns indicator, unit, received, on_time."""
        if last_month - first_month >= 62:
            raise ValueError("a completeness window is at most 62 months")
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            array = _arrivals.arrival_masks(c, int(first_month), int(last_month), deadlines)
            indicator_codes = id_codes(c, schema.indicators)
            unit_codes = id_codes(c, schema.units)
        return pd.DataFrame({
            "indicator": indicator_codes[array[:, 0]],
            "unit": unit_codes[array[:, 1]],
            "received": array[:, 2],
            "on_time": array[:, 3],
        })

    def own_target_years(self, years: Iterable[int]) -> pd.DataFrame:
        """unit, indicator, year for every target of one of ``years`` (any plan, any period of the year)."""
        t = schema.targets
        year = func.substr(t.c.period, 1, 4)
        wanted = [str(int(y)) for y in years]
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(t.c.unit_id, t.c.indicator_id, year).where(year.in_(wanted)).distinct()).all()
            array = np.array(rows, dtype=np.int64).reshape(-1, 3) if rows else np.zeros((0, 3), dtype=np.int64)
            unit_codes = id_codes(c, schema.units)
            indicator_codes = id_codes(c, schema.indicators)
        return pd.DataFrame({"unit": unit_codes[array[:, 0]], "indicator": indicator_codes[array[:, 1]],
                             "year": array[:, 2]})

