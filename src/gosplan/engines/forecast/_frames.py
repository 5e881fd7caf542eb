"""Turning long frames of monthly values into a (series x month) matrix and back."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gosplan.errors import Problem, ValidationError
from gosplan.model import Period

HISTORY_COLUMNS = ["series_id", "period", "value"]
TARGET_FRAME_COLUMNS = ["series_id", "year", "target"]


@dataclass
class Panel:
    """Monthly values of many series on one calendar: ``values[i, j]`` is series ``ids[i]`` in the
    month with ordinal ``start + j``; nan where nothing was reported."""

    ids: np.ndarray
    values: np.ndarray
    start: int

    @property
    def end(self) -> int:
        return self.start + self.values.shape[1] - 1


def _require(frame: pd.DataFrame, columns: list[str], source: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValidationError([Problem(source, None, c, "column is missing") for c in missing])


def month_ordinals(periods: pd.Series, source: str = "history") -> np.ndarray:
    """Month ordinals of a column of monthly periods (text or :class:`Period`).

    Only the distinct labels are parsed (with :meth:`Period.parse`), so a frame of millions of rows
    with a few dozen months costs one hash of the column.
    """
    codes, labels = pd.factorize(periods, sort=False)
    ordinals = np.empty(len(labels), dtype=np.int64)
    problems = []
    for k, label in enumerate(labels):
        try:
            period = Period.parse(label)
        except ValueError as exc:
            problems.append(Problem(source, None, "period", f"{label!r}: {exc}"))
            continue
        if period.kind != "M":
            problems.append(Problem(source, None, "period", f"{label!r} is not a month"))
            continue
        ordinals[k] = period.ordinal
    if (codes < 0).any():
        problems.append(Problem(source, None, "period", "empty period"))
    if problems:
        raise ValidationError(problems)
    return ordinals[codes]


def to_panel(history: pd.DataFrame, as_of: Period, months: int | None = None) -> Panel:
    """Pivot ``history[series_id, period, value]`` up to and including ``as_of``.

    ``months`` keeps only that many months before and including ``as_of`` (all when ``None``).
    Duplicate (series, month) rows keep the last one, as the latest revision wins.
    """
    _require(history, HISTORY_COLUMNS, "history")
    ordinal = month_ordinals(history["period"])
    end = as_of.last_month().ordinal
    keep = ordinal <= end
    if months is not None:
        keep &= ordinal > end - months
    ids_all, uniques = pd.factorize(history["series_id"], sort=True)
    values = pd.to_numeric(history["value"], errors="coerce").to_numpy(dtype=float)
    if not keep.all():
        ordinal, values, ids_all = ordinal[keep], values[keep], ids_all[keep]
    start = int(ordinal.min()) if len(ordinal) else end
    matrix = np.full((len(uniques), end - start + 1), np.nan)
    cell = ids_all * matrix.shape[1] + (ordinal - start)
    # numpy leaves the winner of a repeated index undefined: keep the last row on purpose.
    if (np.bincount(cell, minlength=matrix.size) > 1).any():
        last = ~pd.Series(cell).duplicated(keep="last").to_numpy()
        cell, values = cell[last], values[last]
    matrix.flat[cell] = values
    return Panel(ids=np.asarray(uniques, dtype=object), values=matrix, start=start)
