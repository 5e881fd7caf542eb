"""Kinds of file for construction projects, farms and weather events, checked like reports.

The same rules as for targets and reports apply: unknown extra columns are rejected, codes must
name something that exists (a project, a unit), months are ``YYYY-MM`` and progress or events may
not be for a month after ``today``, values are finite and non-negative, percentages lie in 0..100,
severities in 0..1, and a key may appear only once per file. Every problem is reported at once.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from gosplan.engines._risk_model import EVENT_ALIASES
from gosplan.engines._risk_model import KINDS as WEATHER_KINDS
from gosplan.model import Period
from gosplan.store import Store

from .checks import (
    Problems,
    check_codes,
    check_duplicates,
    check_known,
    check_numbers,
    check_text,
    korean_text,
    text_column,
)

PROJECT_KINDS: tuple[str, ...] = ("projects", "project_milestones", "project_progress", "farms", "weather_events")


def _months(problems: Problems, frame: pd.DataFrame, column: str, today: date | None = None,
            allow_date: bool = False) -> pd.Series:
    """Canonical ``YYYY-MM`` text (or ``YYYY-MM-DD`` where dates are allowed); problems for the rest."""
    values = text_column(frame, column)
    out = pd.Series("", index=frame.index, dtype=object)
    this_month = Period.month(today.year, today.month).ordinal if today else None
    for row, value in values.items():
        parsed: Period | None = None
        text = value
        if allow_date and len(value) == 10:
            try:
                day = date.fromisoformat(value)
                parsed, text = Period.month(day.year, day.month), value
            except ValueError:
                parsed = None
        else:
            try:
                parsed = Period.parse(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.kind != "M":
                parsed = None
            text = str(parsed) if parsed is not None else value
        if parsed is None:
            problems.add(int(row), column, f"not a month: {value!r} (expected YYYY-MM, e.g. 2023-06)")
            continue
        if this_month is not None and parsed.ordinal > this_month:
            problems.add(int(row), column, f"a report for a future month (today is {today:%Y-%m-%d})")
        out[row] = text
    return out


def _project_codes(problems: Problems, frame: pd.DataFrame, store: Store) -> pd.Series:
    codes = text_column(frame, "project")
    valid = check_codes(problems, codes, "project")
    check_known(problems, codes, "project", set(store.projects()["code"]), "project", valid)
    return codes


def _optional_number(problems: Problems, frame: pd.DataFrame, column: str, default: float = 0.0) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), default)
    raw = frame[column]
    empty = raw.isna() | raw.astype(str).str.strip().eq("")
    numbers = np.full(len(frame), default)
    if (~empty).any():
        numbers[~empty.to_numpy()] = check_numbers(problems, raw[~empty], column, non_negative=True)
    return numbers


def validate_project_kind(kind: str, frame: pd.DataFrame, store: Store, problems: Problems,
                          today: date) -> pd.DataFrame:
    """Check a projects, project_milestones, project_progress, farms or weather_events file."""
    out = pd.DataFrame(index=frame.index)
    if kind == "projects":
        out["code"] = text_column(frame, "code")
        check_codes(problems, out["code"], "code")
        out["name"] = text_column(frame, "name")
        check_text(problems, out["name"], "name", required=True)
        out["unit"] = text_column(frame, "unit")
        valid = check_codes(problems, out["unit"], "unit")
        check_known(problems, out["unit"], "unit", pd.Index(store.units()["code"]), "unit", valid)
        out["budget"] = check_numbers(problems, frame["budget"], "budget", non_negative=True)
        out["start"] = _months(problems, frame, "start")
        out["planned_end"] = _months(problems, frame, "planned_end")
        before = (out["planned_end"] != "") & (out["start"] != "") & (out["planned_end"] < out["start"])
        problems.add_rows(frame.index[before.to_numpy()], "planned_end", "planned_end is before start")
        out["dwellings"] = _optional_number(problems, frame, "dwellings")
        korean_text(problems, frame, out, "name_ko", max_length=400)
        keys = ["code"]
    elif kind == "project_milestones":
        out["project"] = _project_codes(problems, frame, store)
        out["milestone"] = text_column(frame, "milestone")
        check_text(problems, out["milestone"], "milestone", required=True)
        out["planned_date"] = _months(problems, frame, "planned_date", allow_date=True)
        out["planned_value"] = check_numbers(problems, frame["planned_value"], "planned_value", non_negative=True)
        out["dwellings"] = _optional_number(problems, frame, "dwellings")
        keys = ["project", "milestone"]
    elif kind == "project_progress":
        out["project"] = _project_codes(problems, frame, store)
        out["period"] = _months(problems, frame, "period", today)
        percent = check_numbers(problems, frame["percent_complete"], "percent_complete")
        outside = np.isfinite(percent) & ((percent < 0) | (percent > 100))
        problems.add_rows(frame.index[outside], "percent_complete", "percent complete must lie in 0..100")
        out["percent_complete"] = percent
        out["actual_cost"] = check_numbers(problems, frame["actual_cost"], "actual_cost", non_negative=True)
        out["dwellings_completed"] = _optional_number(problems, frame, "dwellings_completed")
        keys = ["project", "period"]
    elif kind == "farms":
        out["unit"] = text_column(frame, "unit")
        valid = check_codes(problems, out["unit"], "unit")
        check_known(problems, out["unit"], "unit", pd.Index(store.units()["code"]), "unit", valid)
        out["crop_area_ha"] = check_numbers(problems, frame["crop_area_ha"], "crop_area_ha", non_negative=True)
        out["irrigated_ha"] = check_numbers(problems, frame["irrigated_ha"], "irrigated_ha", non_negative=True)
        with np.errstate(invalid="ignore"):
            larger = (out["irrigated_ha"] > out["crop_area_ha"] * (1 + 1e-9)).to_numpy()
        problems.add_rows(frame.index[larger], "irrigated_ha", "irrigated area exceeds the crop area")
        keys = ["unit"]
    elif kind == "weather_events":
        out["province"] = text_column(frame, "province")
        valid = check_codes(problems, out["province"], "province")
        check_known(problems, out["province"], "province", pd.Index(store.units()["code"]), "unit", valid)
        out["period"] = _months(problems, frame, "period", today)
        kinds = text_column(frame, "kind").str.lower().map(lambda k: EVENT_ALIASES.get(k, k))
        bad = ~kinds.isin(WEATHER_KINDS)
        problems.add_rows(frame.index[bad.to_numpy()], "kind",
                          f"unknown kind of weather (one of {', '.join(WEATHER_KINDS)}, or an alias such as "
                          "heavy rain, frost)")
        out["kind"] = kinds
        severity = check_numbers(problems, frame["severity"], "severity")
        outside = np.isfinite(severity) & ((severity < 0) | (severity > 1))
        problems.add_rows(frame.index[outside], "severity", "severity must lie in 0..1")
        out["severity"] = severity
        description = text_column(frame, "description") if "description" in frame else pd.Series(
            "", index=frame.index, dtype=object)
        check_text(problems, description, "description", required=False)
        out["description"] = description
        korean_text(problems, frame, out, "description_ko")
        keys = ["province", "period", "kind"]
    else:  # pragma: no cover - the importer dispatches only the kinds above
        raise ValueError(kind)
    check_duplicates(problems, out, keys)
    return out


def write_project_kind(store: Store, kind: str, clean: pd.DataFrame, source: str, recorded_by: str, conn):
    if kind == "project_progress":
        return store.write_project_progress(clean, source=source, recorded_by=recorded_by, conn=conn)
    return getattr(store, f"write_{kind}")(clean, conn=conn)


def detect_project_kind(present: set[str]) -> str | None:
    """The kind of a projects/farms/weather file from its header, or ``None``."""
    if "percent_complete" in present:
        return "project_progress"
    if {"milestone", "planned_value"} & present:
        return "project_milestones"
    if "budget" in present:
        return "projects"
    if "crop_area_ha" in present:
        return "farms"
    if "severity" in present:
        return "weather_events"
    return None
