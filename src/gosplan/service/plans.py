"""Plan making on the store: drafts from control figures, variants, counter-plans, comparison, adoption.

A draft is a *plan version*: the national control figures of a year (from the five-year plan where it
has a figure, else from the last year's expected result and the trend) distributed over the producing
units by last year's shares or by capacity. Versions are never overwritten: a variant is a new
version with the old one as parent; adopting one makes it the annual plan in force (its targets are
written to the plan ``ap-YEAR``) and supersedes the version adopted before it.

>>> from gosplan.service import Service
>>> service = Service.open("sqlite://"); _ = service.load_demo()
>>> d = draft(service, 2024, created_by="planner")
>>> d.code, float(d.control_figures.set_index("indicator").loc["coal", "control_figure"])
('draft-2024', 18500000.0)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gosplan.engines.plan import control_figures, distribute, expected_outturn, trend_growth
from gosplan.errors import Conflict, GosplanError, InvalidValue, NotFound, Problem, ValidationError
from gosplan.i18n import _
from gosplan.service.material import VersionBalance, leaf_output, version_balance

if TYPE_CHECKING:
    from gosplan.service import Service

RULES = ("shares", "capacity")


@dataclass(frozen=True)
class Draft:
    """A new plan version: its code, the control figures it was made from, its targets per unit."""

    code: str
    year: int
    rule: str
    control_figures: pd.DataFrame
    targets: pd.DataFrame


def _five_year_plan(service: Service, year: int) -> str | None:
    plans = service.store.plans()
    five = plans[(plans["kind"] != "annual") & (plans["start_year"] <= year) & (plans["end_year"] >= year)]
    return None if five.empty else str(five.iloc[0]["code"])


def _free_code(service: Service, base: str) -> str:
    taken = set(service.store.plan_versions()["code"])
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def control_figures_for(service: Service, year: int) -> pd.DataFrame:
    """The national control figures of ``year`` for every output indicator (see the engine's columns)."""
    last = service.store.last_reported_month()
    if last is None:
        raise NotFound(_("no reports are stored: control figures need last year's results"))
    current = year - 1
    if int(last[:4]) < current:
        raise GosplanError(_("the last report is for {last}; drafting {year} needs results of {current}", last=last,
                              year=year, current=current))
    if int(last[:4]) > current:  # reports of the plan year already: last year up to its last reported month
        totals = service.store.report_totals(f"{current}-01", f"{current}-12")
        last = str(totals["last_period"].dropna().astype(str).max()) if len(totals) else f"{current}-12"
    end_month = int(last[5:7])
    to_date = leaf_output(service, f"{current}-01", f"{current}-{end_month:02d}").groupby("indicator")["value"].sum()
    prev = leaf_output(service, f"{current - 1}-01", f"{current - 1}-12").groupby("indicator")["value"].sum()
    prev_part = leaf_output(service, f"{current - 1}-01", f"{current - 1}-{end_month:02d}")
    expected = expected_outturn(to_date, prev, prev_part.groupby("indicator")["value"].sum())
    history = pd.DataFrame({y: leaf_output(service, f"{y}-01", f"{y}-12").groupby("indicator")["value"].sum()
                            for y in range(current - 3, current)}).T
    history = history.dropna(how="all")  # years before the first report
    fyp_code = _five_year_plan(service, year)
    fyp = pd.Series(dtype=float)
    if fyp_code:
        t = service.store.targets(plan=fyp_code, units=[service.root()], periods=[str(year)])
        fyp = t.set_index("indicator")["value"].astype(float)
    outputs = service.indicators().loc[lambda f: f["role"] == "output", "code"]
    cf = control_figures(fyp[fyp.index.isin(outputs)], expected[expected.index.isin(outputs)], trend_growth(history))
    return cf


def draft(service: Service, year: int, *, rule: str = "shares", created_by: str, code: str | None = None,
          reason: str | None = None) -> Draft:
    """Draft the plan of ``year``: control figures distributed by ``rule`` (``shares`` of last year's
    output, or ``capacity``), stored as a new draft version."""
    if rule not in RULES:
        raise InvalidValue(_("{option} must be one of {choices}, not {value}", option="--rule",
                              choices=", ".join(RULES), value=repr(rule)))
    cf = control_figures_for(service, year)
    totals = cf.set_index("indicator")["control_figure"]
    if rule == "capacity":
        caps = service.store.physical_capacities()
        weights = caps.rename(columns={"capacity": "weight"})[["unit", "indicator", "weight"]]
        covered = set(weights["indicator"])
        # Indicators without capacity records are distributed by last year's shares.
        shares = _share_weights(service, year)
        weights = pd.concat([weights, shares[~shares["indicator"].isin(covered)]], ignore_index=True)
    else:
        weights = _share_weights(service, year)
    targets = distribute(totals, weights)
    code = code or _free_code(service, f"draft-{year}")
    service.store.create_plan_version(code, year, targets=targets, created_by=created_by, rule=rule,
                                      five_year_plan=_five_year_plan(service, year), reason=reason,
                                      control_figures=cf)
    return Draft(code, year, rule, cf, targets)


def _share_weights(service: Service, year: int) -> pd.DataFrame:
    last = service.store.last_reported_month() or f"{year - 1}-12"
    end = min(last, f"{year - 1}-12")
    out = leaf_output(service, f"{year - 1}-01", end)
    if out.empty:
        out = leaf_output(service, f"{year - 2}-01", f"{year - 2}-12")
    return out.rename(columns={"value": "weight"})


# ---------------------------------------------------------------------------------------- variants
def parse_edits(scale: list[str], set_values: list[str]) -> tuple[dict[str, float], list[tuple[str, str, float]]]:
    """``coal=1.05`` scale edits and ``UNIT:INDICATOR=VALUE`` set edits, checked."""
    factors, sets = {}, []
    for text in scale:
        name, _equals, value = text.partition("=")
        try:
            factors[name.strip()] = float(value)
        except ValueError:
            raise InvalidValue(_("--scale {text}: expected INDICATOR=FACTOR, e.g. coal=1.05",
                                 text=repr(text))) from None
        if factors[name.strip()] < 0:
            raise InvalidValue(_("--scale {text}: the factor must not be negative", text=repr(text)))
    for text in set_values:
        key, _equals, value = text.partition("=")
        unit, _colon, indicator = key.partition(":")
        try:
            number = float(value)
        except ValueError:
            raise InvalidValue(_("--set {text}: expected UNIT:INDICATOR=VALUE, e.g. KP:coal=19000000",
                                  text=repr(text))) from None
        if not unit or not indicator:
            raise InvalidValue(_("--set {text}: expected UNIT:INDICATOR=VALUE", text=repr(text)))
        if number < 0:
            raise InvalidValue(_("--set {text}: a target must not be negative", text=repr(text)))
        sets.append((unit.strip(), indicator.strip(), number))
    return factors, sets


def variant(service: Service, code: str, name: str, *, scale: dict[str, float] | None = None,
            set_values: list[tuple[str, str, float]] | None = None, reason: str | None = None,
            created_by: str) -> pd.DataFrame:
    """Copy version ``code`` as ``name`` with edits: scale an indicator everywhere, or set a unit's figure
    (a unit above the producers spreads its new figure over its subtree in proportion to the old)."""
    parent = service.store.plan_version(code)
    if parent["status"] != "draft" and not reason:
        raise InvalidValue(_("{code} is {status}: a change to it needs --reason (e.g. 'mid-year adjustment')",
                              code=code, status=parent["status"]))
    targets = service.store.version_targets(code)
    indicators = set(service.indicators()["code"])
    for indicator in scale or {}:
        if indicator not in indicators:
            raise NotFound(_("unknown indicator {indicator}", indicator=repr(indicator)))
        targets.loc[targets["indicator"] == indicator, "value"] *= scale[indicator]
    hierarchy = service.hierarchy()
    for unit, indicator, value in set_values or []:
        if unit not in hierarchy.parent:
            raise NotFound(_("unknown unit {unit}", unit=repr(unit)))
        if indicator not in indicators:
            raise NotFound(_("unknown indicator {indicator}", indicator=repr(indicator)))
        rows = (targets["indicator"] == indicator) & targets["unit"].isin(hierarchy.subtree(unit))
        old = targets.loc[rows, "value"].sum()
        if not rows.any():
            if not hierarchy.is_leaf(unit):
                raise InvalidValue(_("{code} has no {indicator} target under {unit}; set it on a producing unit",
                                      code=code, indicator=indicator, unit=unit))
            targets = pd.concat([targets, pd.DataFrame([(unit, indicator, value)], columns=targets.columns)],
                                ignore_index=True)
        elif old > 0:
            targets.loc[rows, "value"] *= value / old
        else:
            targets.loc[rows, "value"] = value / rows.sum()
    service.store.create_plan_version(name, int(parent["year"]), targets=targets, created_by=created_by,
                                      rule="variant", parent=code, five_year_plan=parent["five_year_plan"],
                                      reason=reason, control_figures=service.store.version_control_figures(code))
    return targets


# -------------------------------------------------------------------------------------- comparison
@dataclass(frozen=True)
class Comparison:
    """Two versions side by side: national targets with their tautness and odds, balances of the goods.

    ``targets`` per indicator: ``a``, ``b``, ``change``, ``change_pct``, and for each version (suffix
    ``_a``, ``_b``) ``tautness`` (against the trend of the control figures), ``vs_best``, ``vs_ceiling``,
    ``capacity_ratio``, ``vs_normal``, ``vs_frontier``, ``p_attain`` (from the monthly history),
    ``expected_total`` and ``code`` (the most serious tautness finding); ``frontier_output`` (the
    efficiency frontier's potential, the same for both) and ``uom``.
    """

    a: str
    b: str
    targets: pd.DataFrame
    balances: pd.DataFrame


COMPARED = ["vs_best", "vs_ceiling", "capacity_ratio", "vs_normal", "vs_frontier", "p_attain", "expected_total",
            "code"]


def compare(service: Service, a: str, b: str) -> Comparison:
    """National totals per indicator, their tautness (:func:`gosplan.service.plan_checks.version_tautness`)
    and the surplus of every balanced good under versions ``a`` and ``b``."""
    from gosplan.service.plan_checks import version_tautness

    units = service.indicators().set_index("code")["unit"]
    taut = {code: version_tautness(service, code).set_index("indicator") for code in (a, b)}
    frame = pd.DataFrame({"a": taut[a]["target"], "b": taut[b]["target"]}).fillna(0.0)
    frame["change"] = frame["b"] - frame["a"]
    frame["change_pct"] = frame["change"] / frame["a"].where(frame["a"] > 0)
    for suffix, code in (("a", a), ("b", b)):
        frame[f"tautness_{suffix}"] = taut[code]["vs_trend"].reindex(frame.index)
        for column in COMPARED:
            frame[f"{column}_{suffix}"] = taut[code][column].reindex(frame.index)
    frame["frontier_output"] = taut[a]["frontier_output"].reindex(frame.index).fillna(
        taut[b]["frontier_output"].reindex(frame.index))
    frame["uom"] = units.reindex(frame.index)
    frame.index.name = "indicator"
    balances = pd.DataFrame({code: version_balance(service, code, mark_stale=False).balance.table["surplus"]
                             for code in (a, b)})
    balances.columns = ["surplus_a", "surplus_b"]
    balances["uom"] = units.reindex(balances.index)
    return Comparison(a, b, frame.reset_index(), balances.reset_index())


# ----------------------------------------------------------------------------------- counter-plans
def import_counter_plans(service: Service, path: str | Path, *, sender: str | None = None,
                         submitted_by: str) -> int:
    """Counter-plans from a file (columns plan, unit, indicator, period, value, reason); all or nothing.

    ``sender`` (default: the top of the hierarchy) may answer only for its subtree; see
    :func:`submit_counter_plans` for every check.
    """
    from gosplan.ingest.tables import read_table

    path = Path(path)
    hierarchy = service.hierarchy()
    sender = sender or service.root()
    if sender not in hierarchy.parent:
        raise NotFound(_("unknown sending unit {sender}", sender=repr(sender)))
    return submit_counter_plans(service, read_table(path), source=path.name, allowed=set(hierarchy.subtree(sender)),
                                sender=sender, submitted_by=submitted_by)


def submit_counter_plans(service: Service, frame: pd.DataFrame, *, source: str, allowed: set[str] | None,
                         sender: str, submitted_by: str) -> int:
    """Write counter-plans (columns plan, unit, indicator, period, value, reason; the index is the row a
    person sees) after checking them all; nothing is written when one is wrong.

    Refused with source, row and column: an unknown plan version or one no longer a draft, a unit outside
    ``allowed`` (``None``: any), a period outside the version's year, a negative or missing value, an
    unknown unit or indicator, a missing reason.
    """
    required = ["plan", "unit", "indicator", "period", "value", "reason"]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValidationError([Problem(source, None, c, _("missing required column")) for c in missing])
    versions = service.store.plan_versions().set_index("code")
    hierarchy = service.hierarchy()
    indicators = set(service.indicators()["code"])
    problems: list[Problem] = []
    for row, r in frame.iterrows():
        plan = str(r["plan"])
        if plan not in versions.index:
            problems.append(Problem(source, int(row), "plan", _("unknown plan version {plan}", plan=repr(plan))))
        elif versions.loc[plan, "status"] != "draft":
            problems.append(Problem(source, int(row), "plan", _("{version} is {status}; counter-plans answer a draft",
                                                                version=plan, status=versions.loc[plan, "status"])))
        elif not str(r["period"]).startswith(str(versions.loc[plan, "year"])):
            problems.append(Problem(source, int(row), "period", _("{period} is not in {plan}'s year {year}",
                                                                  period=repr(r["period"]), plan=plan,
                                                                  year=versions.loc[plan, "year"])))
        if str(r["unit"]) not in hierarchy.parent:
            problems.append(Problem(source, int(row), "unit", _("unknown unit {unit}", unit=repr(r["unit"]))))
        elif allowed is not None and str(r["unit"]) not in allowed:
            problems.append(Problem(source, int(row), "unit", _("{unit} is outside the subtree of the sender {sender}",
                                                                unit=r["unit"], sender=sender)))
        if str(r["indicator"]) not in indicators:
            problems.append(Problem(source, int(row), "indicator",
                                    _("unknown indicator {indicator}", indicator=repr(r["indicator"]))))
        value = pd.to_numeric(pd.Series([r["value"]]), errors="coerce").iloc[0]
        if not np.isfinite(value):
            problems.append(Problem(source, int(row), "value",
                                    _("not a finite number: {value}", value=repr(r["value"]))))
        elif value < 0:
            problems.append(Problem(source, int(row), "value",
                                    _("must not be negative: {value}", value=f"{value:,.6g}")))
        if pd.isna(r["reason"]) or not str(r["reason"]).strip():
            problems.append(Problem(source, int(row), "reason", _("a counter-plan needs a reason")))
    if problems:
        raise ValidationError(problems)
    frame = frame.reset_index(drop=True)
    written = 0
    with service.store.transaction() as conn:
        for plan, part in frame.groupby("plan", sort=False):
            written += service.store.write_counter_plans(str(plan), part, submitted_by=submitted_by, source=source,
                                                         conn=conn)
    return written


def counter_plan_view(service: Service, code: str, *, level: str | None = None) -> pd.DataFrame:
    """The draft and the counter-plans side by side, rolled up to the units of ``level`` (a unit kind)."""
    targets = service.store.version_targets(code)
    counters = service.store.counter_plans(code)
    if counters.empty:
        return pd.DataFrame(columns=["unit", "indicator", "draft", "counter", "difference", "reason", "submitted_by"])
    year = str(service.store.plan_version(code)["year"])
    counters = counters[counters["period"] == year]
    units = service.units().set_index("code")
    hierarchy = service.hierarchy()

    def ancestor(unit: str) -> str:
        if level is None:
            return unit
        for node in hierarchy.path(unit):
            if units.loc[node, "kind"] == level:
                return node
        return unit

    merged = targets.merge(counters[["unit", "indicator", "value", "reason", "submitted_by"]],
                           on=["unit", "indicator"], how="inner", suffixes=("_draft", "_counter"))
    merged["unit"] = merged["unit"].map(ancestor)
    out = merged.groupby(["unit", "indicator"], as_index=False).agg(
        draft=("value_draft", "sum"), counter=("value_counter", "sum"),
        reason=("reason", lambda s: "; ".join(sorted(set(s)))), submitted_by=("submitted_by", "first"))
    out["difference"] = out["counter"] - out["draft"]
    return out[["unit", "indicator", "draft", "counter", "difference", "reason", "submitted_by"]]


def accept_counter_plans(service: Service, code: str, name: str, *, created_by: str) -> pd.DataFrame:
    """A new version of ``code`` with every counter-plan of its year taken as the unit's target."""
    year = str(service.store.plan_version(code)["year"])
    counters = service.store.counter_plans(code)
    counters = counters[counters["period"] == year]
    sets = list(zip(counters["unit"], counters["indicator"], counters["value"], strict=True))
    return variant(service, code, name, set_values=sets, reason=f"counter-plans of {code} accepted",
                   created_by=created_by)


# ---------------------------------------------------------------------------------------- adoption
@dataclass(frozen=True)
class Adoption:
    version: str
    plan: str
    adopted_by: str
    superseded: list[str]
    accepted_deficits: list[str]
    balance: VersionBalance


def adopt(service: Service, code: str, *, adopted_by: str, accept_deficits: bool = False) -> Adoption:
    """Make version ``code`` the plan in force for its year; refused while goods are in deficit unless
    ``accept_deficits`` (the accepted goods are recorded with the adoption)."""
    version = service.store.plan_version(code)
    if version["status"] != "draft":
        raise Conflict(_("{code} is {status}; only a draft can be adopted (make a variant with --reason)", code=code,
                         status=version["status"]))
    balance = version_balance(service, code)
    short = balance.deficits.index.tolist()
    if short and not accept_deficits:
        raise Conflict(_("{code} leaves {count} good(s) in deficit ({goods}); balance them (gosplan plan balance) "
                         "or adopt with --accept-deficits", code=code, count=len(short), goods=", ".join(short)))
    year = int(version["year"])
    plan_code = f"ap-{year}"
    plans = service.store.plans()
    targets = service.store.version_targets(code)
    # The national totals too, so the annual plan (not the five-year plan's figure) is in force at the top.
    national = targets.groupby("indicator", as_index=False)["value"].sum().assign(unit=service.root())
    targets = pd.concat([targets, national[["unit", "indicator", "value"]]], ignore_index=True)
    targets = targets.assign(plan=plan_code, period=str(year))
    superseded = service.store.plan_versions(year)
    superseded = superseded[(superseded["status"] == "adopted")]["code"].tolist()
    now = pd.Timestamp.now("UTC").tz_localize(None).to_pydatetime()
    with service.store.transaction() as conn:
        if plan_code not in set(plans["code"]):
            parent = version["five_year_plan"]
            service.store.write_plans(pd.DataFrame([{
                "code": plan_code, "name": f"Annual plan {year}", "kind": "annual", "start_year": year,
                "end_year": year, "parent": parent if isinstance(parent, str) else None}]), conn=conn)
        service.store.write_targets(targets[["plan", "indicator", "unit", "period", "value"]],
                                    source=f"plan version {code}", recorded_by=adopted_by, conn=conn)
        for old in superseded:
            service.store.set_version_status(old, "superseded", conn=conn)
        service.store.set_version_status(code, "adopted", adopted_by=adopted_by, adopted_at=now, plan=plan_code,
                                         accepted_deficits=json.dumps(short) if short else None, conn=conn)
    service.invalidate()
    return Adoption(code, plan_code, adopted_by, superseded, short, balance)


def plan_in_force(service: Service, year: int) -> str | None:
    """The code of the version adopted for ``year`` and not superseded, if any."""
    versions = service.store.plan_versions(year)
    adopted = versions[versions["status"] == "adopted"]
    return None if adopted.empty else str(adopted.iloc[-1]["code"])


def national_totals(service: Service, code: str) -> pd.Series:
    return service.store.version_targets(code).groupby("indicator")["value"].sum()


def plans_named(service: Service, codes: object) -> list[str]:
    """Each plan a figure compares against, named: its name and code and, for an annual plan made by
    adopting a plan version, the version, who adopted it and when.

    ``codes`` is an iterable of plan codes or ``;``-joined codes (the fact table's ``plan`` column);
    blanks are ignored, the order of the plans table is kept.

    >>> from gosplan.service import Service
    >>> service = Service.open("sqlite://"); _ = service.load_demo()
    >>> plans_named(service, ["ap-2023", "ap-2023", ""])
    ['Annual plan 2023 (ap-2023)']
    """
    wanted: set[str] = set()
    for text in pd.Series(list(codes) if codes is not None else [], dtype=object).dropna().astype(str):
        wanted.update(c for c in text.split(";") if c)
    if not wanted:
        return []
    plans = service.store.plans()
    versions = service.store.plan_versions()
    adopted = versions[versions["status"].eq("adopted")]
    out = []
    for code in [c for c in plans["code"] if c in wanted] + sorted(wanted - set(plans["code"])):
        row = plans[plans["code"].eq(code)]
        name = str(row["name"].iloc[0]) if len(row) else code
        text = f"{name} ({code})" if name != code else code
        version = adopted[adopted["plan"].eq(code)]
        if len(version):
            v = version.iloc[-1]
            when = pd.Timestamp(v["adopted_at"]).strftime("%Y-%m-%d %H:%M UTC") if pd.notna(v["adopted_at"]) else ""
            if when:
                text += _(", version {version} adopted by {who} on {when}", version=v["code"], who=v["adopted_by"],
                          when=when)
            else:
                text += _(", version {version} adopted by {who}", version=v["code"], who=v["adopted_by"])
        out.append(text)
    return out


def plans_sentence(service: Service, codes: object) -> str:
    """"Compared against: Annual plan 2023 (ap-2023)." (``""`` when no figure has a plan)."""
    named = plans_named(service, codes)
    if not named:
        return ""
    if len(named) == 1:
        return _("Compared against: {plan}.", plan=named[0])
    return _("Compared against the plans: {plans}.", plans="; ".join(named))

