"""Plan targets: upserted by (plan, indicator, unit, period); every change is kept in target_history."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, bindparam, select

from gosplan.errors import Problem
from gosplan.i18n import _
from gosplan.model import TARGET_COLUMNS, Period
from gosplan.store import schema
from gosplan.store._common import (
    RELATIVE_TOLERANCE,
    IdFilter,
    WriteSummary,
    as_list,
    check_values,
    code_map,
    duplicate_problems,
    id_codes,
    lookup_ids,
    new_batch,
    raise_problems,
    require_columns,
    unknown_code_problems,
)
from gosplan.store._fetch import numeric_frames

_KEYS = ["plan_id", "indicator_id", "unit_id", "period"]


def canonical_periods(values: pd.Series, source: str) -> tuple[pd.Series, list[Problem]]:
    """Periods in canonical text (``2023``, ``2023-H1``, ``2023-Q2``, ``2023-06``), parsed once per value."""
    text = values.astype(str)
    canonical: dict[str, str | None] = {}
    for value in text.unique().tolist():
        try:
            canonical[value] = str(Period.parse(value))
        except ValueError:
            canonical[value] = None
    mapped = text.map(canonical)
    problems = [
        Problem(
            source,
            int(i) + 2,
            "period",
            _("not a period: {text} (expected 2023, 2023-H1, 2023-Q2 or 2023-06)", text=repr(values.iloc[i])),
        )
        for i in np.flatnonzero(mapped.isna().to_numpy())[:1000]
    ]
    return mapped, problems


@dataclass
class TargetIds:
    """Targets as parallel arrays of ids; ``periods[period_code]`` and ``*_codes[id]`` give the texts."""

    plan_id: np.ndarray
    indicator_id: np.ndarray
    unit_id: np.ndarray
    period_code: np.ndarray
    value: np.ndarray
    periods: list[str]
    plan_codes: np.ndarray
    indicator_codes: np.ndarray
    unit_codes: np.ndarray


class TargetMixin:
    """Writes and reads of plan targets (mixed into :class:`~gosplan.store.Store`)."""

    def write_targets(
        self, frame: pd.DataFrame, *, source: str, recorded_by: str, conn: Connection | None = None
    ) -> WriteSummary:
        """Insert or update targets; values are in the indicator's canonical unit.

        A changed value replaces the target and is recorded in the history together with the previous
        value, who wrote it, when, and from which source. Equal values (relative 1e-12) change nothing.
        """
        require_columns(frame, TARGET_COLUMNS, source)
        frame = frame.reset_index(drop=True)
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            work = pd.DataFrame(
                {
                    "plan_id": lookup_ids(frame["plan"], code_map(c, schema.plans)),
                    "indicator_id": lookup_ids(frame["indicator"], code_map(c, schema.indicators)),
                    "unit_id": lookup_ids(frame["unit"], code_map(c, schema.units)),
                }
            )
            work["period"], problems = canonical_periods(frame["period"], source)
            work["value"], value_problems = check_values(frame["value"], source)
            problems += value_problems
            for column, what in (("plan", "plan"), ("indicator", "indicator"), ("unit", "unit")):
                problems += unknown_code_problems(
                    source, frame, column, work[f"{column}_id"].to_numpy(), what
                )
            problems += duplicate_problems(work, _KEYS, source)
            raise_problems(problems)
            if work.empty:
                return WriteSummary()

            t = schema.targets
            plan_ids = sorted(set(work["plan_id"].tolist()))
            old = pd.DataFrame(
                [
                    tuple(r)
                    for r in c.execute(
                        select(t.c.plan_id, t.c.indicator_id, t.c.unit_id, t.c.period, t.c.value).where(
                            t.c.plan_id.in_(plan_ids)
                        )
                    ).all()
                ],
                columns=[*_KEYS, "old_value"],
            )
            merged = work.merge(old, on=_KEYS, how="left") if len(old) else work.assign(old_value=np.nan)
            is_new = merged["old_value"].isna()
            delta = (merged["value"] - merged["old_value"]).abs()
            scale = merged["value"].abs() + merged["old_value"].abs()
            is_changed = ~is_new & (delta > RELATIVE_TOLERANCE * scale)
            new_rows = merged[is_new]
            changed_rows = merged[is_changed]
            if len(new_rows) or len(changed_rows):
                batch_id = new_batch(c, "targets", source, recorded_by)
                if len(new_rows):
                    records = _records(new_rows, batch_id)
                    c.execute(t.insert(), records)
                    c.execute(
                        schema.target_history.insert(), [{**r, "previous_value": None} for r in records]
                    )
                if len(changed_rows):
                    records = _records(changed_rows, batch_id)
                    update = (
                        t.update()
                        .where(
                            t.c.plan_id == bindparam("b_plan"),
                            t.c.indicator_id == bindparam("b_ind"),
                            t.c.unit_id == bindparam("b_unit"),
                            t.c.period == bindparam("b_period"),
                        )
                        .values(value=bindparam("value"), batch_id=bindparam("batch_id"))
                    )
                    c.execute(
                        update,
                        [
                            {
                                "b_plan": r["plan_id"],
                                "b_ind": r["indicator_id"],
                                "b_unit": r["unit_id"],
                                "b_period": r["period"],
                                "value": r["value"],
                                "batch_id": batch_id,
                            }
                            for r in records
                        ],
                    )
                    previous = changed_rows["old_value"].astype(float).tolist()
                    c.execute(
                        schema.target_history.insert(),
                        [{**r, "previous_value": p} for r, p in zip(records, previous, strict=True)],
                    )
        return WriteSummary(
            new=int(is_new.sum()),
            updated=int(is_changed.sum()),
            unchanged=int(len(merged) - is_new.sum() - is_changed.sum()),
        )

    def targets(self, plan: str | None = None, indicators=None, units=None, periods=None) -> pd.DataFrame:
        """Targets as a frame with ``model.TARGET_COLUMNS``, optionally filtered (codes / period texts)."""
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            filters = IdFilter()
            filters.add("t.plan_id", as_list(plan), code_map(c, schema.plans))
            filters.add("t.indicator_id", as_list(indicators), code_map(c, schema.indicators))
            filters.add("t.unit_id", as_list(units), code_map(c, schema.units))
            if filters.empty:
                return pd.DataFrame(columns=TARGET_COLUMNS)
            period_list = as_list(periods)
            if period_list is not None:
                names = np.asarray(sorted({str(Period.parse(p)) for p in period_list}), dtype=object)
                frame = self._targets_by_period(c, filters, list(names))
            else:
                sql = "SELECT t.plan_id, t.indicator_id, t.unit_id, t.period, t.value FROM targets t WHERE 1=1"
                sql += filters.sql()
                # The driver's plain tuples: SQLAlchemy Row objects cost more than the query on big plans.
                rows = c.execute(filters.statement(sql), filters.params).cursor.fetchall()
                frame = pd.DataFrame.from_records(
                    rows, columns=["plan_id", "indicator_id", "unit_id", "period", "value"]
                )
                codes, uniques = pd.factorize(frame["period"], sort=True)
                names = np.asarray(uniques, dtype=object)
                frame = frame.drop(columns="period").assign(period_code=codes)
            frame = filters.apply_post(
                frame, {"t.plan_id": "plan_id", "t.indicator_id": "indicator_id", "t.unit_id": "unit_id"}
            )
            # Key order by integer sorts on the ids and the period's rank (the codes follow the sorted
            # texts); texts are made last, from the few distinct codes.
            ids = {name: frame[name].to_numpy(dtype="int64") for name in ("plan_id", "indicator_id", "unit_id",
                                                                          "period_code")}
            order = np.lexsort((ids["period_code"], ids["unit_id"], ids["indicator_id"], ids["plan_id"]))
            result = pd.DataFrame(
                {
                    "plan": id_codes(c, schema.plans)[ids["plan_id"][order]],
                    "indicator": id_codes(c, schema.indicators)[ids["indicator_id"][order]],
                    "unit": id_codes(c, schema.units)[ids["unit_id"][order]],
                    "period": names[ids["period_code"][order]] if len(order) else np.empty(0, dtype=object),
                    "value": frame["value"].to_numpy(dtype="float64")[order],
                }
            )
        return result

    def target_ids(self, periods, indicators=None) -> TargetIds:
        """The targets of ``periods`` as integer ids and values, for computations over every series.

        :meth:`targets` turns millions of ids into code texts; a national status needs only the
        series' codes, which :func:`gosplan.engines.trajectory.layout_from_ids` makes from these.
        """
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            filters = IdFilter()
            filters.add("t.indicator_id", as_list(indicators), code_map(c, schema.indicators))
            names = sorted({str(Period.parse(p)) for p in as_list(periods) or []})
            if filters.empty or not names:
                frame = pd.DataFrame(columns=["plan_id", "indicator_id", "unit_id", "period_code", "value"])
            else:
                frame = self._targets_by_period(c, filters, names)
                frame = filters.apply_post(frame, {"t.indicator_id": "indicator_id"})
            return TargetIds(
                plan_id=frame["plan_id"].to_numpy(dtype="int64"),
                indicator_id=frame["indicator_id"].to_numpy(dtype="int64"),
                unit_id=frame["unit_id"].to_numpy(dtype="int64"),
                period_code=frame["period_code"].to_numpy(dtype="int64"),
                value=frame["value"].to_numpy(dtype="float64"),
                periods=names,
                plan_codes=id_codes(c, schema.plans),
                indicator_codes=id_codes(c, schema.indicators),
                unit_codes=id_codes(c, schema.units),
            )

    @staticmethod
    def _targets_by_period(c: Connection, filters: IdFilter, periods: list[str]) -> pd.DataFrame:
        """The targets of the given periods as numbers through the covering (period, ...) index,
        one query per period; ``period_code`` is the position of the period in ``periods``."""
        columns = ["plan_id", "indicator_id", "unit_id", "value"]
        sql = (
            "SELECT t.plan_id, t.indicator_id, t.unit_id, t.value FROM targets t WHERE t.period = :period"
            + filters.sql()
        )
        parts = numeric_frames(c, [(sql, {**filters.params, "period": period}) for period in periods], columns,
                               filters.statement)
        position = np.repeat(np.arange(len(periods)), [len(part) for part in parts])
        return pd.DataFrame({
            **{name: np.concatenate([part[name].to_numpy() for part in parts]).astype("int64") for name in columns[:3]},
            "period_code": position,
            "value": np.concatenate([part["value"].to_numpy() for part in parts]),
        })

    def target_history(
        self,
        plan: str | None = None,
        indicator: str | None = None,
        unit: str | None = None,
        period: str | None = None,
    ) -> pd.DataFrame:
        """Every change of targets: plan, indicator, unit, period, value, previous_value, source,
        recorded_by, recorded_at — oldest first."""
        th, b = schema.target_history, schema.batches
        p, i, u = schema.plans, schema.indicators, schema.units
        query = (
            select(
                p.c.code.label("plan"),
                i.c.code.label("indicator"),
                u.c.code.label("unit"),
                th.c.period,
                th.c.value,
                th.c.previous_value,
                b.c.source,
                b.c.recorded_by,
                b.c.recorded_at,
            )
            .join_from(th, p, th.c.plan_id == p.c.id)
            .join(i, th.c.indicator_id == i.c.id)
            .join(u, th.c.unit_id == u.c.id)
            .join(b, th.c.batch_id == b.c.id)
            .order_by(th.c.id)
        )
        if plan is not None:
            query = query.where(p.c.code == plan)
        if indicator is not None:
            query = query.where(i.c.code == indicator)
        if unit is not None:
            query = query.where(u.c.code == unit)
        if period is not None:
            query = query.where(th.c.period == str(Period.parse(period)))
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(query).all()
        columns = [
            "plan",
            "indicator",
            "unit",
            "period",
            "value",
            "previous_value",
            "source",
            "recorded_by",
            "recorded_at",
        ]
        frame = pd.DataFrame([tuple(r) for r in rows], columns=columns)
        frame["recorded_at"] = pd.to_datetime(frame["recorded_at"])
        return frame


def _records(rows: pd.DataFrame, batch_id: int) -> list[dict]:
    return [
        {
            "plan_id": int(a),
            "indicator_id": int(b),
            "unit_id": int(c),
            "period": str(d),
            "value": float(e),
            "batch_id": batch_id,
        }
        for a, b, c, d, e in zip(
            rows["plan_id"], rows["indicator_id"], rows["unit_id"], rows["period"], rows["value"], strict=True
        )
    ]
