"""The definite action plan: load the engines' findings and the frames the plan engine needs, build the
plan, store it as a versioned document, record its adoption and take stock month by month.

A planner proposes a version (:func:`propose_plan`); an admin records its adoption by a named body
on a date (:func:`adopt_plan`); a later version amends it only with a reason. :func:`stocktake` rates
each adopted action's milestones as reports arrive, and :func:`adoption_notices` gives the notices to
send to every owner when a version is adopted (the mail outbox sends them).
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pandas as pd

from gosplan.engines.action_plan import ActionPlan, PlanInputs, Settings, build_plan, delivery_chains
from gosplan.engines.action_plan.stocktake import escalation, rate_milestones
from gosplan.errors import Conflict, InvalidValue, NotFound, PermissionDenied
from gosplan.i18n import _
from gosplan.model import Period

# The risk proposer's count: the best-valued weather measures.
WEATHER_MEASURES = 3
FIELD_INDICATOR = "irrigation"
STOCKTAKE_COLUMNS = ["key", "finding", "unit", "indicator", "uom", "measure", "owner", "month", "planned",
                     "actual", "share", "rating", "slips", "escalated_to"]


def _months_after(as_of: Period) -> list[str]:
    return [str(Period(as_of.year, "M", m)) for m in range(as_of.index + 1, 13)]


def _findings(service, period: str):
    from gosplan.service.actions import collect_findings

    return service._cached(("action_plan_findings", period), lambda: collect_findings(service, period))


def output_path(service, as_of: Period, pairs: pd.DataFrame, last: str | None = None) -> pd.DataFrame:
    """The plan's monthly output of each (unit, indicator) in ``pairs`` for the months after ``as_of``
    (up to ``last``; the seasonal trajectory: target to date of each month less that of the month before)."""
    rows = []
    keys = pairs[["unit", "indicator"]].drop_duplicates()
    previous = service.fulfilment(str(as_of)).merge(keys, on=["unit", "indicator"])[["unit", "indicator", "target"]]
    for month in [m for m in _months_after(as_of) if last is None or m <= last]:
        now = service.fulfilment(month).merge(keys, on=["unit", "indicator"])[["unit", "indicator", "target"]]
        step = now.merge(previous, on=["unit", "indicator"], suffixes=("", "_before"))
        step = step.assign(month=month, target=(step["target"] - step["target_before"]).clip(lower=0.0))
        rows.append(step[["unit", "indicator", "month", "target"]])
        previous = now
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["unit", "indicator", "month",
                                                                                 "target"])


def plan_inputs(service, period: str) -> PlanInputs:
    """Every frame :func:`~gosplan.engines.action_plan.build_plan` needs for ``period``."""
    from gosplan.engines.actions import propose
    from gosplan.service.material import leaf_output

    p = Period.parse(period)
    as_of = p.last_month()
    findings = _findings(service, str(p))
    proposals = propose(findings)
    causes = proposals[proposals["origin"].ne("risk") & proposals["indicator"].notna()][
        ["unit", "indicator", "origin"]].astype(str)
    facts = service.fulfilment(str(as_of))
    units = service.units()
    ministries = service.store.unit_groups("ministry")
    output = leaf_output(service, str(Period(as_of.year, "M", 1)), str(as_of))
    norms = service.store.norms()
    chains = delivery_chains(units, output, norms[["good", "consumer", "norm"]] if len(norms) else
                             pd.DataFrame(columns=["good", "consumer", "norm"]), ministries,
                             pairs=causes[["unit", "indicator"]].drop_duplicates())
    workers = service.store.report_totals(str(Period(as_of.year, "M", 1)), str(as_of), indicators=["workers"])
    workers = workers.rename(columns={"mean": "workers"})[["unit", "workers"]]
    weather = field_path = field_done = None
    if "risk_measures" in findings.tables:
        table = findings.tables["risk_measures"]
        weather = table[table["shortfall_reduction"] > 0].head(WEATHER_MEASURES).assign(
            indicator=findings.values.get("risk_indicator", "grain"))
        provinces = pd.DataFrame({"unit": weather["province"].astype(str), "indicator": FIELD_INDICATOR})
        field_path = output_path(service, as_of, provinces)
        done = facts.merge(provinces, on=["unit", "indicator"])
        field_done = pd.DataFrame({"unit": done["unit"], "done": done["actual"].astype(float),
                                   "months": as_of.index})
    capacities = None
    if "binding_capacities" in findings.tables:
        capacities = findings.tables["binding_capacities"]
    path = output_path(service, as_of, causes)
    movements = _movements(service, set(causes["indicator"]))
    return PlanInputs(str(p), str(as_of), facts, path, causes, units, chains=chains, workers=workers,
                      peers=findings.tables.get("peers"), weather=weather, field_path=field_path,
                      field_done=field_done, capacities=capacities, ministries=ministries, movements=movements,
                      supply_capacity=supply_capacity(service, as_of.year))


def supply_capacity(service, year: int) -> pd.DataFrame:
    """Each producer's capacity in ``year`` (unit, indicator, capacity): the current record plus what
    projects commission in the year. A record marked stale (below output already observed) caps nothing."""
    from gosplan.service.potentiality import year_capacity

    records = service.store.physical_capacities()
    if records.empty:
        return pd.DataFrame(columns=["unit", "indicator", "capacity"])
    records = records[records["stale_since"].isna()]
    added = year_capacity(service, year)
    if len(added):
        added = added.groupby(["unit", "indicator"], as_index=False)["capacity"].sum().rename(
            columns={"capacity": "added"})
        records = records.merge(added, on=["unit", "indicator"], how="left")
        records["capacity"] = records["capacity"].astype(float) + records["added"].fillna(0.0)
    return records[["unit", "indicator", "capacity"]].reset_index(drop=True)


def _movements(service, indicators: set[str]) -> pd.DataFrame:
    """The movements of these indicators whose effect on output per worker is measured and positive
    (the lower end of its interval is what a plan can count on)."""
    from gosplan.service.campaigns import campaign_view

    rows = []
    campaigns = service.store.campaigns()
    for name, indicator in zip(campaigns["name"], campaigns["indicator"], strict=True):
        if indicator not in indicators:
            continue
        view = campaign_view(service, name)
        if view.effect_percent is None or not view.effect_percent[1] > 0:
            continue
        rows.append({"campaign": name, "name": str(view.campaign.get("description") or name).split(";")[0],
                     "origin_unit": view.campaign["origin_unit"], "indicator": indicator,
                     "effect": float(view.effect_percent[1]) / 100, "members": view.members["unit"].tolist()})
    return pd.DataFrame(rows, columns=["campaign", "name", "origin_unit", "indicator", "effect", "members"])


def draft_plan(service, period: str, settings: Settings | None = None) -> ActionPlan:
    """The plan the engines propose for ``period`` (not stored)."""
    p = str(Period.parse(period))
    settings = settings or Settings()
    return service._cached(("action_plan", p, settings), lambda: build_plan(plan_inputs(service, p), settings))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "item"):
        return _jsonable(value.item())
    return value


def plan_document(plan: ActionPlan) -> dict[str, Any]:
    """The plan as a JSON document: findings, numbered actions, milestones and decisions."""
    actions = plan.actions.reset_index(drop=True)
    actions = actions.assign(number=range(1, len(actions) + 1))
    return _jsonable({"period": plan.period, "as_of": plan.as_of,
                      "findings": plan.findings.to_dict("records"), "actions": actions.to_dict("records"),
                      "milestones": plan.milestones.to_dict("records"),
                      "decisions": plan.decisions.to_dict("records"), "met": plan.met.to_dict("records")})


def _adopted(versions: pd.DataFrame) -> pd.DataFrame:
    return versions[versions["status"].eq("adopted")]


def propose_plan(service, period: str, *, proposed_by: str, reason: str | None = None,
                 settings: Settings | None = None) -> int:
    """Store the engines' plan for ``period`` as a new proposed version; returns its number.

    Once a version is adopted the plan changes only by amendment: a new version with a ``reason``.
    """
    p = str(Period.parse(period))
    versions = service.store.action_plan_versions(p)
    if len(_adopted(versions)) and not (reason and reason.strip()):
        raise Conflict(_("the action plan for {period} is adopted (version {version}); a new version amends it "
                         "and needs --reason", period=p, version=int(_adopted(versions)["version"].max())))
    document = plan_document(draft_plan(service, p, settings))
    return service.store.add_action_plan_version(p, document, proposed_by=proposed_by,
                                                 reason=reason.strip() if reason else None)


def _require_admin(service, name: str) -> None:
    """With accounts in the store, only an active admin records an adoption."""
    users = service.store.users()
    if users.empty:
        return
    account = service.store.user(name)
    if account is None or account.get("disabled") or account.get("role") != "admin":
        raise PermissionDenied(_("{name} is not an admin: only an admin records the adoption of the action plan",
                                name=repr(name)))


def adopt_plan(service, period: str, version: int, *, body: str, on: str | date, recorded_by: str,
               role: str | None = None) -> dict:
    """Record that ``body`` adopted ``version`` of the plan on ``on``; an earlier adopted version is
    superseded. Returns the version. ``role``: the role of an authenticated caller (an API token has no
    account to look up); without it, ``recorded_by`` must be an admin's account when the store has any."""
    p = str(Period.parse(period))
    if not body or not body.strip():
        raise InvalidValue(_("the adopting body is required, e.g. --body 'Plenary meeting of the Central Committee'"))
    try:
        day = on if isinstance(on, date) else date.fromisoformat(str(on))
    except ValueError:
        raise InvalidValue(_("not a date: {value} (expected YYYY-MM-DD)", value=repr(on))) from None
    if role is None:
        _require_admin(service, recorded_by)
    elif role != "admin":
        raise PermissionDenied(_("{name} is not an admin: only an admin records the adoption of the action plan",
                                 name=repr(recorded_by)))
    chosen = service.store.action_plan_version(p, version)
    if chosen["status"] != "proposed":
        raise Conflict(_("version {version} of the action plan for {period} is {status}; only a proposed version "
                         "can be adopted", version=version, period=p, status=chosen["status"]))
    versions = service.store.action_plan_versions(p)
    with service.store.transaction() as conn:
        for old in _adopted(versions)["version"]:
            service.store.set_action_plan_status(p, int(old), "superseded", conn=conn)
        service.store.set_action_plan_status(p, version, "adopted", body=body.strip(), on=day,
                                             recorded_by=recorded_by, conn=conn)
    from gosplan.service.notify import action_plan_adopted  # the plan goes out to its owners by mail

    action_plan_adopted(service, p)
    return service.store.action_plan_version(p, version)


def adopted_plan(service, period: str) -> dict:
    """The version of the plan for ``period`` in force (adopted, not superseded)."""
    p = str(Period.parse(period))
    adopted = _adopted(service.store.action_plan_versions(p))
    if adopted.empty:
        raise NotFound(_("no action plan for {period} has been adopted (gosplan actions plan adopt)", period=p))
    return service.store.action_plan_version(p, int(adopted["version"].max()))


def current_plan(service, period: str) -> dict | None:
    """The version of the plan for ``period`` a reader sees: the adopted one, else the latest proposed
    (``None`` when no version was ever proposed)."""
    p = str(Period.parse(period))
    versions = service.store.action_plan_versions(p)
    adopted = _adopted(versions)
    proposed = versions[versions["status"].eq("proposed")]
    chosen = adopted if len(adopted) else proposed
    if chosen.empty:
        return None
    return service.store.action_plan_version(p, int(chosen["version"].max()))


def owner_actions(document: dict, unit: str) -> list[dict]:
    """The actions of a plan document ``unit`` owns (first) or co-owns (after)."""
    mine = [a for a in document["actions"] if a["owner"] == unit or unit in (a.get("co_owners") or [])]
    return sorted(mine, key=lambda a: (a["owner"] != unit, a["number"]))


def adoption_notices(service, period: str) -> list[dict[str, str]]:
    """The notices to send when the plan for ``period`` is adopted: one per owner or co-owner unit
    (``unit``, ``subject``, ``body``), listing its actions and their first milestone."""
    from gosplan.service.action_words import Names, action_sentence

    version = adopted_plan(service, period)
    document = version["document"]
    names = Names.of(service)
    units = sorted({u for a in document["actions"] for u in [a["owner"], *(a.get("co_owners") or [])]})
    notices = []
    for unit in units:
        mine = owner_actions(document, unit)
        lines = [f"#{a['number']} {action_sentence(a, names)}" for a in mine]
        subject = _("Action plan {period}, version {version}: {count} actions for {unit}", period=period,
                    version=version["version"], count=len(mine), unit=names.unit(unit))
        body = _("Adopted by {body} on {day}.", body=version["adopted_by_body"], day=str(version["adopted_on"]))
        notices.append({"unit": unit, "subject": subject, "body": "\n".join([body, "", *lines])})
    return notices


def cumulative_since(service, as_of: str, pairs: pd.DataFrame, through: str) -> pd.DataFrame:
    """Output of each (unit, indicator) since ``as_of`` at the end of each month up to ``through``, from
    the fact table (produced to date then less produced to date at ``as_of``): unit, indicator, month, actual."""
    start = Period.parse(as_of)
    last = Period.parse(through).last_month()
    keys = pairs[["unit", "indicator"]].drop_duplicates()
    base = service.fulfilment(str(start)).merge(keys, on=["unit", "indicator"])[["unit", "indicator", "actual"]]
    rows = []
    month = start.shift(1)
    while month.ordinal <= last.ordinal and month.year == start.year:
        now = service.fulfilment(str(month)).merge(keys, on=["unit", "indicator"])[["unit", "indicator", "actual"]]
        step = now.merge(base, on=["unit", "indicator"], suffixes=("", "_base"))
        rows.append(step.assign(month=str(month), actual=step["actual"] - step["actual_base"])[
            ["unit", "indicator", "month", "actual"]])
        month = month.shift(1)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=["unit", "indicator", "month",
                                                                                 "actual"])


def stocktake(service, period: str, through: str, settings: Settings | None = None) -> pd.DataFrame:
    """Every milestone of the adopted plan due by ``through`` rated red, amber or green with the numbers
    behind it; ``slips`` counts an action's missed milestones up to each one and ``escalated_to`` names the
    link of its chain it had gone to by then, after two (:data:`STOCKTAKE_COLUMNS`)."""
    settings = settings or Settings()
    document = adopted_plan(service, period)["document"]
    through = str(Period.parse(through).last_month())
    key = ("action_stocktake", str(Period.parse(period)), through, document["as_of"], len(document["actions"]))
    return service._cached(key, lambda: _stocktake(service, document, through, settings))


def _stocktake(service, document: dict, through: str, settings: Settings) -> pd.DataFrame:
    milestones = pd.DataFrame(document["milestones"])
    actions = document["actions"]
    if milestones.empty or not actions:
        return pd.DataFrame(columns=STOCKTAKE_COLUMNS)
    actual = cumulative_since(service, document["as_of"], milestones, through)
    actual = actual.merge(milestones[["key", "unit", "indicator", "month"]], on=["unit", "indicator", "month"])
    rated = rate_milestones(milestones, actual, through, settings.amber_share)
    rows = []
    for action in actions:
        mine = rated[rated["key"].eq(action["finding"]) & rated["month"].isin(action["milestones"])]
        for i, r in enumerate(mine.itertuples(index=False)):
            # Where the action stood after this milestone: it climbs its chain one link a slip.
            to, slips = escalation(mine.iloc[:i + 1], action.get("chain") or [], settings.escalate_after)
            rows.append({"key": action["key"], "finding": action["finding"], "unit": action["unit"],
                         "indicator": action["indicator"], "uom": action["uom"], "measure": action["measure"],
                         "owner": action["owner"], "month": r.month, "planned": r.planned, "actual": r.actual,
                         "share": r.share, "rating": r.rating, "slips": slips, "escalated_to": to})
    return pd.DataFrame(rows, columns=STOCKTAKE_COLUMNS)


def extend_demo_reports(service, through: str = "2023-09") -> int:
    """Load the demo's reports for the months after June up to ``through`` (see
    :mod:`gosplan.examples.demo.action_stocktake`); returns the number of reports written. The figures
    of the first half do not change: every view of June reads reports up to June only."""
    from gosplan.examples.demo.action_stocktake import LAST_MONTH, later_reports

    last = str(Period.parse(through).last_month())
    if not "2023-07" <= last <= LAST_MONTH:
        raise InvalidValue(_("the demo's reports run from 2023-07 to {last_month}, not to {last}",
                              last_month=LAST_MONTH, last=last))
    as_of = Period.parse("2023-06")
    indicators = service.indicators()
    outputs = set(indicators.loc[indicators["role"].eq("output"), "code"])
    facts = service.fulfilment(str(as_of))
    leaves = facts[facts["unit"].map(service.hierarchy().is_leaf) & facts["indicator"].isin(outputs)
                   & facts["actual"].notna() & facts["target"].gt(0)]
    pace = leaves.assign(fulfilment=leaves["actual"] / leaves["target"])[["unit", "indicator", "fulfilment"]]
    path = output_path(service, as_of, pace, last=last)
    june = service.store.report_totals("2023-06", "2023-06", units=sorted(set(pace["unit"])))
    made = june[june["indicator"].isin(outputs)].groupby("unit")["total"].sum().rename("output")
    inputs = june[~june["indicator"].isin(outputs)].rename(columns={"total": "value"})
    inputs = inputs.merge(made, left_on="unit", right_index=True)[["unit", "indicator", "value", "output"]]
    reports = later_reports(path, pace, inputs)
    summary = service.store.write_reports(reports, source="demo", recorded_by="gosplan demo")
    service.invalidate()
    return int(summary.new)


def stocktake_summary(frame: pd.DataFrame) -> dict[str, int]:
    """Counts of a stocktake: actions, each rating at the last milestone, and escalated actions."""
    last = frame.groupby("key", sort=False).tail(1)
    ratings = last["rating"].value_counts()
    return {"actions": len(last), "green": int(ratings.get("green", 0)), "amber": int(ratings.get("amber", 0)),
            "red": int(ratings.get("red", 0)), "escalated": int(last["escalated_to"].notna().sum())}
