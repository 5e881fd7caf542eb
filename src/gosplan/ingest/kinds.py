"""What each kind of file holds and how its rows are checked; returns frames ready for the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from gosplan.i18n import _
from gosplan.model import (
    AGGREGATIONS,
    DIRECTIONS,
    FREQUENCIES,
    INDICATOR_METADATA_COLUMNS,
    INDICATOR_TEXT_COLUMNS_KO,
    ROLES,
    Period,
)
from gosplan.quantities import UnitError, conversion_factor, is_known_unit
from gosplan.store import Store

from .campaigns import CAMPAIGN_KINDS, detect_campaign_kind
from .checks import (
    MAX_CODE,
    MAX_TEXT,
    Problems,
    check_codes,
    check_duplicates,
    check_hierarchy,
    check_known,
    check_numbers,
    check_text,
    korean_text,
    strip_export_guard,
    text_column,
)
from .groupings import GROUP_KINDS
from .levels import check_report_levels
from .outcomes import OUTCOME_KINDS, detect_outcome_kind
from .projects import PROJECT_KINDS, detect_project_kind


@dataclass(frozen=True)
class Spec:
    required: tuple[str, ...]
    optional: tuple[str, ...]
    example: dict[str, object]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


SPECS: dict[str, Spec] = {
    "sectors": Spec(("code", "name"), ("parent", "name_ko"),
                    {"code": "MET", "name": "Metallurgy", "parent": "", "name_ko": "금속공업"}),
    "units": Spec(
        ("code", "name", "kind"),
        ("parent", "sector", "name_ko"),
        {"code": "PY", "name": "Pyongyang", "kind": "province", "parent": "", "sector": "", "name_ko": "평양시"},
    ),
    "indicators": Spec(
        ("code", "name", "unit"),
        ("aggregation", "time_aggregation", "direction", "sector", "key", "role", "definition", "method", "source",
         "responsible", "frequency", "name_ko", *INDICATOR_TEXT_COLUMNS_KO),
        {
            "code": "steel",
            "name": "Crude steel",
            "unit": "t",
            "aggregation": "sum",
            "time_aggregation": "sum",
            "direction": "higher",
            "sector": "",
            "key": "true",
            "role": "output",
            "definition": "Steel in its first solid state after melting (ingots and continuously cast products)",
            "method": "Sum of the monthly tonnage poured by each works",
            "source": "Monthly production reports of the steel works",
            "responsible": "Ministry of Metal Industry",
            "frequency": "monthly",
            "name_ko": "조강",
            "definition_ko": "녹인 뒤 처음 굳은 상태의 강철(강괴와 연속주조 제품)",
            "method_ko": "제강소마다 달마다 부은 톤수의 합",
            "source_ko": "제강소의 월 생산보고",
            "responsible_ko": "금속공업성",
        },
    ),
    "plans": Spec(
        ("code", "name", "kind", "start_year", "end_year"),
        ("parent", "name_ko"),
        {
            "code": "AP2023",
            "name": "Annual plan 2023",
            "kind": "annual",
            "start_year": 2023,
            "end_year": 2023,
            "parent": "",
            "name_ko": "2023년 인민경제계획",
        },
    ),
    "targets": Spec(
        ("plan", "indicator", "unit", "period", "value"),
        ("uom",),
        {"plan": "AP2023", "indicator": "steel", "unit": "PY", "period": "2023", "value": 1200, "uom": "kt"},
    ),
    "reports": Spec(
        ("indicator", "unit", "period", "value"),
        ("uom",),
        {"indicator": "steel", "unit": "PY", "period": "2023-06", "value": 98.5, "uom": "kt"},
    ),
}
SPECS.update({
    "projects": Spec(
        ("code", "name", "unit", "budget", "start", "planned_end"),
        ("dwellings", "name_ko"),
        {"code": "H1", "name": "Housing district phase 1", "unit": "PY", "budget": 520000,
         "start": "2022-02", "planned_end": "2023-04", "dwellings": 10000, "name_ko": "살림집 지구 1단계"},
    ),
    "project_milestones": Spec(
        ("project", "milestone", "planned_date", "planned_value"),
        ("dwellings",),
        {"project": "H1", "milestone": "frames topped out", "planned_date": "2022-10", "planned_value": 0.55,
         "dwellings": 0},
    ),
    "project_progress": Spec(
        ("project", "period", "percent_complete", "actual_cost"),
        ("dwellings_completed",),
        {"project": "H1", "period": "2023-06", "percent_complete": 62.5, "actual_cost": 310000,
         "dwellings_completed": 0},
    ),
    "farms": Spec(("unit", "crop_area_ha", "irrigated_ha"), (),
                  {"unit": "PY", "crop_area_ha": 77730, "irrigated_ha": 45550}),
    "weather_events": Spec(
        ("province", "period", "kind", "severity"),
        ("description", "description_ko"),
        {"province": "PY", "period": "2023-05", "kind": "drought", "severity": 0.55,
         "description": "Spring drought: little rain since April", "description_ko": "봄가뭄: 4월부터 비가 적음"},
    ),
})
SPECS.update({
    "campaigns": Spec(
        ("name", "origin_unit", "start", "indicator"),
        ("description", "description_ko"),
        {"name": "steel-innovation-2023", "origin_unit": "PY", "start": "2023-01", "indicator": "steel",
         "description": "Innovation movement started by the Pyongyang steel workers",
         "description_ko": "평양의 제강 노동자들이 시작한 혁신 운동"},
    ),
    "campaign_members": Spec(("campaign", "unit", "joined"), (),
                             {"campaign": "steel-innovation-2023", "unit": "PY", "joined": "2023-02"}),
})
SPECS["project_outcomes"] = Spec(
    ("project", "kind"), ("indicator", "capacity", "norm_good", "norm_change", "campaign"),
    {"project": "H1", "kind": "capacity", "indicator": "steel", "capacity": 50000, "norm_good": "",
     "norm_change": "", "campaign": ""})
SPECS["unit_groups"] = Spec(("unit", "grouping", "group_code", "group_name"), ("group_name_ko",),
                            {"unit": "PY", "grouping": "ministry", "group_code": "coal",
                             "group_name": "Ministry of Coal Industry", "group_name_ko": "석탄공업성"})
KINDS: tuple[str, ...] = ("sectors", "units", "indicators", "plans", "targets", "reports", *PROJECT_KINDS,
                          *CAMPAIGN_KINDS, *OUTCOME_KINDS, *GROUP_KINDS)
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


def check_columns(problems: Problems, kind: str, frame: pd.DataFrame) -> None:
    """Missing required columns and unknown extra columns are both rejected (so a typo in a header
    cannot silently drop a column)."""
    spec = SPECS[kind]
    for column in spec.required:
        if column not in frame.columns:
            problems.add(1, column, _("missing required column"))
    for column in frame.columns:
        if column not in spec.columns:
            problems.add(1, column, _("unknown column (a {kind} file has: {columns})", kind=kind,
                                      columns=", ".join(spec.columns)))


def _codes(
    problems: Problems, frame: pd.DataFrame, column: str, required: bool = True
) -> tuple[pd.Series, np.ndarray]:
    values = text_column(frame, column) if column in frame else pd.Series("", index=frame.index, dtype=object)
    return values, check_codes(problems, values, column, required=required)


def _name(problems: Problems, frame: pd.DataFrame, column: str = "name") -> pd.Series:
    values = strip_export_guard(text_column(frame, column))
    check_text(problems, values, column, required=True)
    return values


def _choice(
    problems: Problems, frame: pd.DataFrame, column: str, allowed: tuple[str, ...], default: str
) -> pd.Series:
    if column not in frame:
        return pd.Series(default, index=frame.index, dtype=object)
    values = text_column(frame, column).str.lower().replace("", default)
    bad = ~values.isin(allowed)
    problems.add_rows(frame.index[bad.to_numpy()], column, _("must be one of {choices}", choices=", ".join(allowed)))
    return values


def validate_reference(kind: str, frame: pd.DataFrame, store: Store, problems: Problems) -> pd.DataFrame:
    """Check a sectors/units/indicators/plans file; return it with the model's columns."""
    codes, _valid = _codes(problems, frame, "code")
    out = pd.DataFrame({"code": codes, "name": _name(problems, frame)}, index=frame.index)
    check_duplicates(problems, out, ["code"])
    sectors = store.sectors()
    known_sectors = set(sectors["code"]) | (set(codes) if kind == "sectors" else set())
    if kind in ("sectors", "units", "plans"):
        parents, valid = _codes(problems, frame, "parent", required=False)
        stored = {
            "sectors": sectors,
            "units": store.units() if kind == "units" else None,
            "plans": store.plans() if kind == "plans" else None,
        }[kind]
        check_hierarchy(
            problems,
            codes[valid],
            parents[valid],
            dict(zip(stored["code"], stored["parent"], strict=True)),
            kind[:-1],
        )
        out["parent"] = parents.replace("", None)
    if kind == "units":
        out["kind"], _valid = _codes(problems, frame, "kind")
    if kind in ("units", "indicators"):
        sector, valid = _codes(problems, frame, "sector", required=False)
        check_known(problems, sector, "sector", known_sectors, "sector", valid, optional=True)
        out["sector"] = sector.replace("", None)
    if kind == "indicators":
        uom = text_column(frame, "unit")
        check_text(problems, uom, "unit", required=True, max_length=MAX_CODE)
        unknown = {u for u in uom.unique().tolist() if u and not is_known_unit(u)}
        problems.add_rows(frame.index[uom.isin(unknown).to_numpy()], "unit", _("unknown unit of measure"))
        out["unit"] = uom
        out["aggregation"] = _choice(problems, frame, "aggregation", AGGREGATIONS, "sum")
        out["time_aggregation"] = _choice(problems, frame, "time_aggregation", AGGREGATIONS, "sum")
        out["direction"] = _choice(problems, frame, "direction", DIRECTIONS, "higher")
        out["role"] = _choice(problems, frame, "role", ROLES, "output")
        key = text_column(frame, "key").str.lower() if "key" in frame else pd.Series("", index=frame.index)
        bad = ~key.isin(_TRUE | _FALSE)
        problems.add_rows(frame.index[bad.to_numpy()], "key", _("must be true or false"))
        out["key"] = key.isin(_TRUE)
        for column in INDICATOR_METADATA_COLUMNS:  # optional; a column left out keeps what is stored
            if column == "frequency" and column in frame:
                frequency = text_column(frame, column).str.lower()
                bad = ~frequency.isin(("", *FREQUENCIES))
                problems.add_rows(frame.index[bad.to_numpy()], column,
                                  _("must be one of {choices}", choices=", ".join(FREQUENCIES)))
                out[column] = frequency
            elif column in frame:
                text = text_column(frame, column)
                check_text(problems, text, column, required=False, max_length=4000)
                out[column] = text
        for column in INDICATOR_TEXT_COLUMNS_KO:  # the texts in Korean, where given
            korean_text(problems, frame, out, column, max_length=4000)
    if kind == "plans":
        out["kind"], _valid = _codes(problems, frame, "kind")
        start = check_numbers(problems, frame["start_year"], "start_year", integer=True)
        end = check_numbers(problems, frame["end_year"], "end_year", integer=True)
        with np.errstate(invalid="ignore"):
            wrong = (start > end) | (start < 1000) | (end > 9999)
        problems.add_rows(frame.index[wrong], "end_year",
                          _("end_year must be a year not before start_year"))
        out["start_year"] = np.nan_to_num(start).astype("int64")
        out["end_year"] = np.nan_to_num(end).astype("int64")
    korean_text(problems, frame, out, "name_ko", max_length=MAX_TEXT)  # the Korean name, where given
    return out


def _convert(
    problems: Problems,
    frame: pd.DataFrame,
    values: np.ndarray,
    indicator: pd.Series,
    canonical: pd.Series,
    ok: np.ndarray,
) -> np.ndarray:
    """Convert values given in ``uom`` to each indicator's canonical unit (factor per distinct pair)."""
    if "uom" not in frame:
        return values
    uom = text_column(frame, "uom")
    target = indicator.map(canonical).fillna("")
    pairs = pd.DataFrame({"uom": uom, "target": target})[ok & (uom != "").to_numpy()]
    factors = np.ones(len(frame))
    for (source_unit, target_unit), group in pairs.groupby(["uom", "target"], sort=False):
        rows = group.index
        try:
            factor = conversion_factor(source_unit, target_unit)
        except UnitError:
            what = indicator.loc[rows[0]]
            reason = (
                _("unknown unit of measure {unit}", unit=repr(source_unit))
                if not is_known_unit(source_unit)
                else _("cannot convert {unit} to {target}, the unit of indicator {indicator}", unit=repr(source_unit),
                       target=repr(target_unit), indicator=repr(what))
            )
            problems.add_rows(rows, "uom", reason)
            continue
        factors[frame.index.get_indexer(rows)] = factor
    return values * factors


def validate_facts(
    kind: str, frame: pd.DataFrame, store: Store, problems: Problems, today: date
) -> pd.DataFrame:
    """Check a targets or reports file; return plan?, indicator, unit, period, value in canonical units."""
    indicators = store.indicators()
    canonical = pd.Series(indicators["unit"].to_numpy(), index=indicators["code"].to_numpy())
    roles = pd.Series(indicators["role"].to_numpy(), index=indicators["code"].to_numpy())
    out = pd.DataFrame(index=frame.index)
    if kind == "targets":
        plans = store.plans()
        out["plan"], valid = _codes(problems, frame, "plan")
        check_known(problems, out["plan"], "plan", set(plans["code"]), "plan", valid)
    out["indicator"], valid = _codes(problems, frame, "indicator")
    indicator_ok = check_known(
        problems, out["indicator"], "indicator", pd.Index(indicators["code"]), "indicator", valid
    )
    out["unit"], valid = _codes(problems, frame, "unit")
    units = store.units()
    unit_ok = check_known(problems, out["unit"], "unit", pd.Index(units["code"]), "unit", valid)
    out["period"] = _periods(problems, frame, kind, today, plans if kind == "targets" else None, out)
    if kind == "reports":
        check_report_levels(problems, out, indicator_ok & unit_ok & out["period"].ne("").to_numpy(), store)
    non_negative = out["indicator"].map(roles).isin(ROLES).to_numpy()
    values = check_numbers(problems, frame["value"], "value", non_negative=non_negative)
    out["value"] = _convert(problems, frame, values, out["indicator"], canonical, indicator_ok)
    check_duplicates(problems, out, [c for c in out.columns if c != "value"])
    return out


def _periods(
    problems: Problems,
    frame: pd.DataFrame,
    kind: str,
    today: date,
    plans: pd.DataFrame | None,
    out: pd.DataFrame,
) -> pd.Series:
    """Canonical period text; every distinct period is parsed once."""
    codes, uniques = pd.factorize(text_column(frame, "period"))
    parsed: list[Period | None] = []
    for value in uniques.tolist():
        try:
            parsed.append(Period.parse(value))
        except ValueError:
            parsed.append(None)
    parsed.append(None)  # position -1: a missing cell

    def per_row(attribute, missing):
        values = np.array([attribute(p) if p is not None else missing for p in parsed], dtype=object)
        return values[codes]

    bad = per_row(lambda p: False, True).astype(bool)
    canonical = pd.Series(per_row(str, ""), index=frame.index, dtype=object)
    problems.add_rows(
        frame.index[bad],
        "period",
        _("not a period (expected 2023, 2023-H1, 2023-Q2 or 2023-06)")
        if kind == "targets"
        else _("not a month (expected YYYY-MM, e.g. 2023-06)"),
    )
    if kind == "reports":
        not_month = per_row(lambda p: p.kind != "M", False).astype(bool)
        problems.add_rows(
            frame.index[not_month], "period", _("reports are monthly: give a month such as 2023-06")
        )
        this_month = Period.month(today.year, today.month).ordinal
        future = per_row(lambda p: p.kind == "M" and p.ordinal > this_month, False).astype(bool)
        problems.add_rows(
            frame.index[future], "period", _("a report for a future month (today is {today})",
                                             today=f"{today:%Y-%m-%d}")
        )
    elif plans is not None and len(plans):
        start = out["plan"].map(dict(zip(plans["code"], plans["start_year"], strict=True)))
        end = out["plan"].map(dict(zip(plans["code"], plans["end_year"], strict=True)))
        year = pd.Series(per_row(lambda p: p.year, np.nan), index=frame.index, dtype="float64")
        outside = ~bad & start.notna().to_numpy() & ((year < start) | (year > end)).to_numpy()
        problems.add_rows(
            frame.index[outside],
            "period",
            lambda row: _("period {period} is outside plan {plan} ({start}-{end})", period=canonical[row],
                          plan=out["plan"][row], start=int(start[row]), end=int(end[row])),
        )
    return canonical


def template(kind: str) -> pd.DataFrame:
    """The columns of ``kind`` with one example row."""
    spec = SPECS[kind]
    return pd.DataFrame([spec.example], columns=list(spec.columns))


def detect_kind(columns: list[str]) -> str | None:
    """Tell the kind of a file from its header, or ``None`` if it is ambiguous."""
    present = set(columns)
    if "grouping" in present:
        return "unit_groups"
    if detect_outcome_kind(present):
        return "project_outcomes"
    campaign_kind = detect_campaign_kind(present)
    if campaign_kind is not None:
        return campaign_kind
    project_kind = detect_project_kind(present)
    if project_kind is not None:
        return project_kind
    if "plan" in present:
        return "targets"
    if {"indicator", "unit", "period", "value"} <= present:
        return "reports"
    if "code" not in present:
        return None
    if present & {"start_year", "end_year"}:
        return "plans"
    if present & {"aggregation", "time_aggregation", "direction", "key", "role"} or (
        "unit" in present and "kind" not in present
    ):
        return "indicators"
    if "kind" in present:
        return "units"
    return "sectors"
