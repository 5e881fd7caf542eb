"""The kind of file for project outcomes (what a project adds or improves), checked like reports.

One row per project: ``project`` (a stored project), ``kind`` (housing, capacity, modernisation,
research), and optionally the product ``indicator`` with the ``capacity`` it adds a year (in the
indicator's canonical unit), the input ``norm_good`` whose norm per unit of the product changes by
``norm_change`` (a fraction: -0.08 is 8 % less) and, for a research project, the ``campaign`` that
spreads its technology. A capacity or a norm change needs its product; a norm good and its change go
together; a norm change lies above -1 (a norm cannot fall to zero or below). Every problem is
reported at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.store import Store
from gosplan.store._outcomes import PROJECT_KINDS

from .checks import Problems, check_codes, check_duplicates, check_known, check_numbers, text_column

OUTCOME_KINDS: tuple[str, ...] = ("project_outcomes",)


def _optional_code(problems: Problems, frame: pd.DataFrame, column: str, known: pd.Index, what: str) -> pd.Series:
    values = text_column(frame, column) if column in frame else pd.Series("", index=frame.index, dtype=object)
    valid = check_codes(problems, values, column, required=False)
    check_known(problems, values, column, known, what, valid, optional=True)
    return values


def _optional_number(problems: Problems, frame: pd.DataFrame, column: str) -> pd.Series:
    out = pd.Series(np.nan, index=frame.index, dtype=float)
    if column not in frame:
        return out
    raw = frame[column]
    given = ~(raw.isna() | raw.astype(str).str.strip().eq(""))
    if given.any():
        out[given] = check_numbers(problems, raw[given], column)
    return out


def validate_outcome_kind(kind: str, frame: pd.DataFrame, store: Store, problems: Problems) -> pd.DataFrame:
    """Check a project_outcomes file; returns the clean frame for the store (empty cells as None)."""
    if kind != "project_outcomes":  # pragma: no cover - the importer dispatches only this kind
        raise ValueError(kind)
    out = pd.DataFrame(index=frame.index)
    out["project"] = text_column(frame, "project")
    valid = check_codes(problems, out["project"], "project")
    check_known(problems, out["project"], "project", pd.Index(store.projects()["code"]), "project", valid)
    out["kind"] = text_column(frame, "kind").str.lower()
    problems.add_rows(frame.index[~out["kind"].isin(PROJECT_KINDS).to_numpy()], "kind",
                      f"must be one of {', '.join(PROJECT_KINDS)}")
    indicators = pd.Index(store.indicators()["code"])
    out["indicator"] = _optional_code(problems, frame, "indicator", indicators, "indicator")
    out["capacity"] = _optional_number(problems, frame, "capacity")
    problems.add_rows(frame.index[(out["capacity"] < 0).to_numpy()], "capacity", "capacity added cannot be negative")
    out["norm_good"] = _optional_code(problems, frame, "norm_good", indicators, "indicator")
    out["norm_change"] = _optional_number(problems, frame, "norm_change")
    problems.add_rows(frame.index[(out["norm_change"] <= -1).to_numpy()], "norm_change",
                      "a norm change is a fraction above -1 (-0.08: 8 % less)")
    out["campaign"] = _optional_code(problems, frame, "campaign", pd.Index(store.campaigns()["name"]), "campaign")
    needs_product = (out["capacity"].notna() | out["norm_change"].notna()) & out["indicator"].eq("")
    problems.add_rows(frame.index[needs_product.to_numpy()], "indicator",
                      "a capacity or a norm change needs the product (indicator) it applies to")
    unpaired = out["norm_good"].eq("") != out["norm_change"].isna()
    problems.add_rows(frame.index[unpaired.to_numpy()], "norm_good", "norm_good and norm_change go together")
    check_duplicates(problems, out, ["project"])
    for column in ("indicator", "norm_good", "campaign"):
        out[column] = out[column].replace("", None)
    return out


def detect_outcome_kind(present: set[str]) -> str | None:
    """The kind of a project outcomes file from its header, or ``None``."""
    return "project_outcomes" if {"project", "kind"} <= present else None
