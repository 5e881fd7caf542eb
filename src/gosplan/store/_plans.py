"""Plan making: input norms, physical capacities, balance items, plan versions and counter-plans.

Plan versions are never overwritten: a change is a new version whose ``parent`` is the one it came
from; adopting a version supersedes the version in force for the same year. Counter-plans keep
every submission (the latest per unit, indicator and period is the one in force). Norms are one
per (good, consumer) and are replaced with who and when; capacities are kept per ``as_of`` date.

>>> import pandas as pd
>>> from gosplan.store import Store
>>> store = Store.open("sqlite://")
>>> _ = store.write_indicators(pd.DataFrame({"code": ["coal", "electricity"], "name": ["Coal", "Power"],
...                                          "unit": ["t", "kWh"]}))
>>> store.write_norms(pd.DataFrame({"good": ["coal"], "consumer": ["electricity"], "norm": [0.0006],
...                                 "source": ["entered"]}), recorded_by="planner")
WriteSummary(new=1, updated=0, unchanged=0)
>>> store.norms()[["good", "consumer", "norm", "unit"]].to_dict("records")
[{'good': 'coal', 'consumer': 'electricity', 'norm': 0.0006, 'unit': 't/kWh'}]
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import Connection, delete, insert, select, update

from gosplan.errors import Conflict, NotFound, Problem
from gosplan.i18n import _
from gosplan.store import schema
from gosplan.store._bulk import load
from gosplan.store._common import (
    WriteSummary,
    check_values,
    duplicate_problems,
    raise_problems,
    require_columns,
    unknown_code,
    utc_now,
)

NORM_SOURCES = ("io_table", "reports", "entered")
BALANCE_ITEMS = ("stock_drawdown", "imports", "final_uses", "exports", "stock_build")
VERSION_STATUSES = ("draft", "adopted", "superseded")
NORM_COLUMNS = ["good", "consumer", "norm", "unit", "source", "note", "recorded_by", "recorded_at"]
CAPACITY_COLUMNS = ["unit", "indicator", "as_of", "capacity", "source", "recorded_by", "recorded_at", "stale_since"]
VERSION_COLUMNS = ["code", "year", "status", "parent", "five_year_plan", "rule", "reason", "created_by",
                   "created_at", "adopted_by", "adopted_at", "accepted_deficits", "plan"]
COUNTER_COLUMNS = ["version", "unit", "indicator", "period", "value", "reason", "submitted_by", "submitted_at",
                   "source"]


def _codes(conn: Connection, table) -> set[str]:
    return set(conn.execute(select(table.c.code)).scalars())


def _unknown(frame: pd.DataFrame, column: str, known: set[str], source: str, what: str) -> list[Problem]:
    bad = ~frame[column].astype(str).isin(known)
    return [Problem(source, int(i) + 2, column, unknown_code(what, frame[column].iat[i]))
            for i in np.flatnonzero(bad.to_numpy())[:200]]


def _negative(values: np.ndarray, source: str, column: str) -> list[Problem]:
    return [Problem(source, int(i) + 2, column, _("must not be negative: {value}", value=f"{values[i]:,.6g}"))
            for i in np.flatnonzero(values < 0)[:200]]


def _frame(conn: Connection, stmt, columns: list[str]) -> pd.DataFrame:
    rows = conn.execute(stmt).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


class PlanMixin:
    """Norms, capacities, balance items, plan versions and counter-plans (mixed into ``Store``)."""

    engine = None  # provided by Store

    def _tx(self, conn: Connection | None):  # provided by Store
        raise NotImplementedError

    # ------------------------------------------------------------------------------------ norms
    def write_norms(self, frame: pd.DataFrame, *, recorded_by: str, source: str = "norms",
                    conn: Connection | None = None) -> WriteSummary:
        """Insert or replace norms (columns good, consumer, norm, source; optional note).

        ``good`` and ``consumer`` are indicator codes; the unit is derived from theirs (``kWh/t``).
        A negative or missing norm, an unknown indicator or source is refused with its row and column.
        """
        require_columns(frame, ["good", "consumer", "norm", "source"], source)
        frame = frame.reset_index(drop=True)
        with self._tx(conn) as c:
            units = dict(c.execute(select(schema.indicators.c.code, schema.indicators.c.unit)).all())
            values, problems = check_values(frame["norm"], source, "norm")
            problems += _negative(values, source, "norm")
            for column in ("good", "consumer"):
                problems += _unknown(frame, column, set(units), source, "indicator")
            problems += [Problem(source, int(i) + 2, "source",
                                 _("must be one of {choices}, not {value}", choices=", ".join(NORM_SOURCES),
                                   value=repr(frame["source"].iat[i])))
                         for i in np.flatnonzero(~frame["source"].isin(NORM_SOURCES).to_numpy())[:200]]
            problems += duplicate_problems(frame, ["good", "consumer"], source)
            raise_problems(problems)
            t = schema.plan_norms
            existing = {(g, k): n for g, k, n in c.execute(select(t.c.good, t.c.consumer, t.c.norm)).all()}
            now = utc_now()
            notes = frame["note"] if "note" in frame.columns else pd.Series([None] * len(frame))
            rows = [{"good": g, "consumer": k, "norm": float(v), "unit": f"{units[g]}/{units[k]}", "source": s,
                     "note": None if pd.isna(n) else str(n), "recorded_by": recorded_by, "recorded_at": now}
                    for g, k, v, s, n in zip(frame["good"].astype(str), frame["consumer"].astype(str), values,
                                             frame["source"], notes, strict=True)]
            new = sum((r["good"], r["consumer"]) not in existing for r in rows)
            unchanged = sum(existing.get((r["good"], r["consumer"])) == r["norm"] for r in rows)
            for r in rows:
                c.execute(delete(schema.plan_norms).where(schema.plan_norms.c.good == r["good"],
                                                          schema.plan_norms.c.consumer == r["consumer"]))
            if rows:
                c.execute(insert(schema.plan_norms), rows)
        return WriteSummary(new=new, updated=len(rows) - new - unchanged, unchanged=unchanged)

    def norms(self) -> pd.DataFrame:
        """Every norm (columns ``NORM_COLUMNS``), by good and consumer."""
        t = schema.plan_norms
        with self.engine.connect() as c:
            return _frame(c, select(*[t.c[n] for n in NORM_COLUMNS]).order_by(t.c.good, t.c.consumer), NORM_COLUMNS)

    # ------------------------------------------------------------------------------- capacities
    def write_physical_capacities(self, frame: pd.DataFrame, *, recorded_by: str, source: str = "capacities",
                                  conn: Connection | None = None) -> WriteSummary:
        """Capacities per (unit, indicator, as_of) per year in the indicator's unit (columns unit,
        indicator, capacity, source, as_of). A record with the same date is replaced."""
        require_columns(frame, ["unit", "indicator", "capacity", "source", "as_of"], source)
        frame = frame.reset_index(drop=True)
        with self._tx(conn) as c:
            values, problems = check_values(frame["capacity"], source, "capacity")
            problems += _negative(values, source, "capacity")
            problems += _unknown(frame, "unit", _codes(c, schema.units), source, "unit")
            problems += _unknown(frame, "indicator", _codes(c, schema.indicators), source, "indicator")
            as_of = pd.to_datetime(frame["as_of"], errors="coerce")
            problems += [Problem(source, int(i) + 2, "as_of",
                                 _("not a date: {value}", value=repr(frame["as_of"].iat[i])))
                         for i in np.flatnonzero(as_of.isna().to_numpy())[:200]]
            problems += duplicate_problems(frame, ["unit", "indicator", "as_of"], source)
            raise_problems(problems)
            t = schema.physical_capacities
            now = utc_now()
            rows = [{"unit": u, "indicator": k, "as_of": d.date(), "capacity": float(v), "source": str(s),
                     "recorded_by": recorded_by, "recorded_at": now, "stale_since": None}
                    for u, k, d, v, s in zip(frame["unit"].astype(str), frame["indicator"].astype(str), as_of, values,
                                             frame["source"], strict=True)]
            old = {(u, k, d) for u, k, d in c.execute(select(t.c.unit, t.c.indicator, t.c.as_of)).all()}
            for r in rows:
                if (r["unit"], r["indicator"], r["as_of"]) in old:
                    c.execute(delete(t).where(t.c.unit == r["unit"], t.c.indicator == r["indicator"],
                                              t.c.as_of == r["as_of"]))
            if rows:
                c.execute(insert(t), rows)
            replaced = sum((r["unit"], r["indicator"], r["as_of"]) in old for r in rows)
        return WriteSummary(new=len(rows) - replaced, updated=replaced, unchanged=0)

    def physical_capacities(self, *, current: bool = True) -> pd.DataFrame:
        """Capacity records (columns ``CAPACITY_COLUMNS``); ``current``: the latest ``as_of`` of each pair."""
        t = schema.physical_capacities
        with self.engine.connect() as c:
            frame = _frame(c, select(*[t.c[n] for n in CAPACITY_COLUMNS]).order_by(t.c.unit, t.c.indicator, t.c.as_of),
                           CAPACITY_COLUMNS)
        if current and len(frame):
            frame = frame.drop_duplicates(["unit", "indicator"], keep="last").reset_index(drop=True)
        return frame

    def mark_capacities_stale(self, keys: pd.DataFrame, when: datetime | None = None,
                              conn: Connection | None = None) -> int:
        """Set ``stale_since`` on the records (unit, indicator, as_of) not yet marked; returns how many."""
        t = schema.physical_capacities
        when = when or utc_now()
        count = 0
        with self._tx(conn) as c:
            for u, k, d in zip(keys["unit"], keys["indicator"], keys["as_of"], strict=True):
                result = c.execute(update(t).where(t.c.unit == u, t.c.indicator == k, t.c.as_of == d,
                                                   t.c.stale_since.is_(None)).values(stale_since=when))
                count += result.rowcount or 0
        return count

    # ---------------------------------------------------------------------------- balance items
    def write_balance_items(self, frame: pd.DataFrame, *, source: str = "balance items",
                            conn: Connection | None = None) -> WriteSummary:
        """Stocks, imports, exports and final uses per (good, year, item), replacing the same key."""
        require_columns(frame, ["good", "year", "item", "value", "source"], source)
        frame = frame.reset_index(drop=True)
        with self._tx(conn) as c:
            values, problems = check_values(frame["value"], source)
            problems += _negative(values, source, "value")
            problems += _unknown(frame, "good", _codes(c, schema.indicators), source, "indicator")
            problems += [Problem(source, int(i) + 2, "item",
                                 _("must be one of {choices}", choices=", ".join(BALANCE_ITEMS)))
                         for i in np.flatnonzero(~frame["item"].isin(BALANCE_ITEMS).to_numpy())[:200]]
            problems += duplicate_problems(frame, ["good", "year", "item"], source)
            raise_problems(problems)
            t = schema.balance_items
            rows = [{"good": g, "year": int(y), "item": i, "value": float(v), "source": str(s)}
                    for g, y, i, v, s in zip(frame["good"], frame["year"], frame["item"], values, frame["source"],
                                             strict=True)]
            for r in rows:
                c.execute(delete(t).where(t.c.good == r["good"], t.c.year == r["year"], t.c.item == r["item"]))
            if rows:
                c.execute(insert(t), rows)
        return WriteSummary(new=len(rows), updated=0, unchanged=0)

    def balance_items(self, year: int) -> pd.DataFrame:
        """The items of ``year`` as a frame indexed by good, one column per item (0 where missing)."""
        t = schema.balance_items
        with self.engine.connect() as c:
            long = _frame(c, select(t.c.good, t.c.item, t.c.value).where(t.c.year == year), ["good", "item", "value"])
        wide = long.pivot_table(index="good", columns="item", values="value", aggfunc="sum")
        return wide.reindex(columns=list(BALANCE_ITEMS)).fillna(0.0)

    # ---------------------------------------------------------------------------- plan versions
    def create_plan_version(self, code: str, year: int, *, targets: pd.DataFrame, created_by: str, rule: str,
                            parent: str | None = None, five_year_plan: str | None = None, reason: str | None = None,
                            control_figures: pd.DataFrame | None = None, conn: Connection | None = None) -> None:
        """A new draft version with its targets (unit, indicator, value) and control figures.

        Raises :class:`~gosplan.errors.Conflict` when the code is taken (versions are never overwritten).
        """
        t = schema.plan_versions
        with self._tx(conn) as c:
            if c.execute(select(t.c.id).where(t.c.code == code)).first() is not None:
                raise Conflict(_("plan version {code} exists; versions are never overwritten, choose another name",
                                  code=repr(code)))
            version_id = c.execute(insert(t).values(
                code=code, year=int(year), status="draft", parent=parent, five_year_plan=five_year_plan, rule=rule,
                reason=reason, created_by=created_by, created_at=utc_now())).inserted_primary_key[0]
            # A national draft is every producing unit x every indicator: load it the fast way (executemany on
            # SQLite, COPY on PostgreSQL) inside this transaction.
            load(c, "plan_version_targets", pd.DataFrame({
                "version_id": int(version_id), "unit": targets["unit"].astype(str).to_numpy(),
                "indicator": targets["indicator"].astype(str).to_numpy(),
                "value": pd.to_numeric(targets["value"]).astype(float).to_numpy()}))
            if control_figures is not None and len(control_figures):
                cols = ["indicator", "control_figure", "five_year_plan", "expected_last_year", "trend_growth",
                        "from_results", "source"]
                cf = control_figures[cols].astype(object).where(control_figures[cols].notna(), None)
                c.execute(insert(schema.plan_control_figures),
                          [{"version_id": version_id, **dict(zip(cols, row, strict=True))}
                           for row in cf.itertuples(index=False)])

    def plan_versions(self, year: int | None = None) -> pd.DataFrame:
        """Every version (columns ``VERSION_COLUMNS``), oldest first."""
        t = schema.plan_versions
        stmt = select(*[t.c[n] for n in VERSION_COLUMNS]).order_by(t.c.id)
        if year is not None:
            stmt = stmt.where(t.c.year == year)
        with self.engine.connect() as c:
            return _frame(c, stmt, VERSION_COLUMNS)

    def plan_version(self, code: str) -> dict:
        """One version as a dict; :class:`~gosplan.errors.NotFound` naming the known ones otherwise."""
        versions = self.plan_versions()
        match = versions[versions["code"] == code]
        if match.empty:
            if versions.empty:
                raise NotFound(_("no plan version {code}; known versions: none yet (gosplan plan draft --year YEAR)",
                                 code=repr(code)))
            raise NotFound(_("no plan version {code}; known versions: {known}", code=repr(code),
                             known=", ".join(versions["code"])))
        return match.iloc[0].to_dict()

    def _version_id(self, c: Connection, code: str) -> int:
        vid = c.execute(select(schema.plan_versions.c.id).where(schema.plan_versions.c.code == code)).scalar()
        if vid is None:
            self.plan_version(code)  # raises NotFound with the known versions
        return int(vid)

    def version_targets(self, code: str) -> pd.DataFrame:
        """The targets of a version: unit, indicator, value (annual, in the indicators' units)."""
        with self.engine.connect() as c:
            vid = self._version_id(c, code)
            # Straight through the driver: half a million rows through SQLAlchemy's row objects take seconds.
            cursor = c.connection.driver_connection.cursor()
            try:
                cursor.execute("SELECT unit, indicator, value FROM plan_version_targets "
                               f"WHERE version_id = {int(vid)} ORDER BY unit, indicator")
                rows = cursor.fetchall()
            finally:
                cursor.close()
        frame = pd.DataFrame.from_records(rows, columns=["unit", "indicator", "value"])
        frame["value"] = frame["value"].astype(float)
        return frame

    def version_control_figures(self, code: str) -> pd.DataFrame:
        t = schema.plan_control_figures
        cols = ["indicator", "control_figure", "five_year_plan", "expected_last_year", "trend_growth", "from_results",
                "source"]
        with self.engine.connect() as c:
            vid = self._version_id(c, code)
            return _frame(c, select(*[t.c[n] for n in cols]).where(t.c.version_id == vid).order_by(t.c.indicator),
                          cols)

    def set_version_status(self, code: str, status: str, *, conn: Connection | None = None, **fields: object) -> None:
        """Change a version's status (and adoption fields: adopted_by, adopted_at, accepted_deficits, plan)."""
        if status not in VERSION_STATUSES:
            raise ValueError(f"status must be one of {VERSION_STATUSES}")
        allowed = {"adopted_by", "adopted_at", "accepted_deficits", "plan"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        with self._tx(conn) as c:
            self._version_id(c, code)
            c.execute(update(schema.plan_versions).where(schema.plan_versions.c.code == code)
                      .values(status=status, **fields))

    # ---------------------------------------------------------------------------- counter-plans
    def write_counter_plans(self, code: str, frame: pd.DataFrame, *, submitted_by: str, source: str,
                            conn: Connection | None = None) -> int:
        """Append counter-plans (unit, indicator, period, value, reason) to version ``code``; returns rows.

        Checked here: known unit and indicator, a finite non-negative value, a reason. The service
        checks who may send what.
        """
        require_columns(frame, ["unit", "indicator", "period", "value", "reason"], source)
        frame = frame.reset_index(drop=True)
        with self._tx(conn) as c:
            vid = self._version_id(c, code)
            values, problems = check_values(frame["value"], source)
            problems += _negative(values, source, "value")
            problems += _unknown(frame, "unit", _codes(c, schema.units), source, "unit")
            problems += _unknown(frame, "indicator", _codes(c, schema.indicators), source, "indicator")
            empty = frame["reason"].isna() | (frame["reason"].astype(str).str.strip() == "")
            problems += [Problem(source, int(i) + 2, "reason", _("a counter-plan needs a reason"))
                         for i in np.flatnonzero(empty.to_numpy())[:200]]
            problems += duplicate_problems(frame, ["unit", "indicator", "period"], source)
            raise_problems(problems)
            now = utc_now()
            rows = [{"version_id": vid, "unit": str(u), "indicator": str(k), "period": str(p), "value": float(v),
                     "reason": str(r), "submitted_by": submitted_by, "submitted_at": now, "source": source}
                    for u, k, p, v, r in zip(frame["unit"], frame["indicator"], frame["period"], values,
                                             frame["reason"], strict=True)]
            if rows:
                c.execute(insert(schema.counter_plans), rows)
        return len(rows)

    def counter_plans(self, code: str, *, latest: bool = True) -> pd.DataFrame:
        """Counter-plans of a version (columns ``COUNTER_COLUMNS``); ``latest``: the last per key only."""
        t = schema.counter_plans
        cols = [n for n in COUNTER_COLUMNS if n != "version"]
        with self.engine.connect() as c:
            vid = self._version_id(c, code)
            frame = _frame(c, select(*[t.c[n] for n in cols]).where(t.c.version_id == vid).order_by(t.c.id), cols)
        if latest and len(frame):
            frame = frame.drop_duplicates(["unit", "indicator", "period"], keep="last").reset_index(drop=True)
        return frame.assign(version=code)[COUNTER_COLUMNS]
