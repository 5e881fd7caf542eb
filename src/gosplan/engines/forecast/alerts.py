"""Alert records from forecasts and exceptions, and their escalation up the unit hierarchy.

Series naming convention: a series is one indicator of one unit, ``series_id = "indicator|unit"``
(e.g. ``"steel|plant-7"``); :func:`series_id` builds it and :func:`split_series_id` reads it back.
Indicator codes must not contain ``|``; unit codes may (everything after the first ``|`` is the
unit).

Escalation is Cybersyn's algedonic signal (Beer, *Brain of the Firm*, 2nd ed. 1981, ch. 16): an
alert that the unit's managers have not acknowledged within ``periods`` months goes to the parent
unit, and after another ``periods`` months to the grandparent, up to the top.

The service layer stores the records these functions return; nothing here reads or writes a store.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gosplan.engines.forecast._frames import _require
from gosplan.errors import Problem, ValidationError
from gosplan.model import Period

SEPARATOR = "|"
ALERT_COLUMNS = ["series_id", "indicator", "unit", "period", "kind", "severity", "score", "message", "amount",
                 "favourable"]
ESCALATION_COLUMNS = ["id", "unit", "level", "escalated_to", "path", "reached_top"]
ALERT_STATUSES = ("open", "acknowledged", "resolved")
SEVERITIES = ("notable", "warning", "critical")
CHANGE_KINDS = ("step", "slope", "outlier")


def readable(value: float) -> str:
    """A plain number for a message: ``2_280_000_000 -> '2.28 bn'``, ``1520.4 -> '1,520'``, never ``e+09``.

    >>> readable(2.28e9), readable(1520.4), readable(15.0), readable(0.25)
    ('2.28 bn', '1,520', '15', '0.25')
    """
    if value != value:
        return "–"
    size = abs(value)
    if size >= 1e9:
        return f"{value / 1e9:,.2f} bn"
    if size >= 1e6:
        return f"{value / 1e6:,.2f} million"
    if size >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def series_id(indicator: str, unit: str) -> str:
    """``series_id("steel", "plant-7") == "steel|plant-7"``."""
    if SEPARATOR in indicator:
        raise ValueError(f"indicator code may not contain {SEPARATOR!r}: {indicator!r}")
    return f"{indicator}{SEPARATOR}{unit}"


def split_series_id(ids: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Indicator and unit of each ``"indicator|unit"`` id (unit is empty when there is no ``|``).

    >>> [list(s) for s in split_series_id(pd.Series(["coal|mine-1", "grain"]))]
    [['coal', 'grain'], ['mine-1', '']]
    >>> [len(s) for s in split_series_id(pd.Series([], dtype=object))]
    [0, 0]
    """
    if ids.empty:  # nothing detected (e.g. a store with one report): two empty columns, not a KeyError
        empty = pd.Series([], dtype=object, index=ids.index)
        return empty, empty.copy()
    parts = ids.astype(str).str.split(SEPARATOR, n=1, expand=True)
    if parts.shape[1] == 1:
        parts[1] = ""
    return parts[0], parts[1].fillna("")


def make_alerts(attainment: pd.DataFrame | None = None, exceptions: pd.DataFrame | None = None,
                threshold: float = 0.5, critical: float = 0.2, critical_change: float = 0.25,
                critical_missing: int = 3, direction: dict[str, str] | None = None) -> pd.DataFrame:
    """Alert records for targets at risk and for detected exceptions.

    - ``attainment`` (from :func:`attainment`): one ``attainment`` alert per target whose
      ``p_attain`` is below ``threshold``; critical below ``critical``. ``period`` is the year.
    - ``exceptions`` (from :func:`detect`): one alert per exception, of its kind. A change is
      critical when its probability is at least 0.99 and it moves the series by at least
      ``critical_change`` of its level; a unit missing ``critical_missing`` months or more is critical.
      A favourable change (up where more is better, down where ``direction`` says lower is better)
      is ``notable``, never a warning or critical: it is worth a look, not an intervention.

    Returns ``DataFrame[series_id, indicator, unit, period, kind, severity, score, message, amount,
    favourable]`` where ``score`` orders alerts by urgency (1 - p_attain, or the exception's
    probability) and ``amount`` is the size of the problem in the indicator's unit (the expected
    shortfall, the change, or the months missing), what :func:`lowest_alerts` compares.

    >>> at = pd.DataFrame({"series_id": ["grain|north"], "year": [2023], "target": [120.0],
    ...                    "expected_total": [100.0], "lower_80": [90.0], "upper_80": [110.0],
    ...                    "p_attain": [0.05], "required_monthly_rate": [20.0], "months_remaining": [6],
    ...                    "method": ["ets-additive"]})
    >>> make_alerts(at)[["indicator", "unit", "period", "kind", "severity"]].to_dict("records")
    [{'indicator': 'grain', 'unit': 'north', 'period': '2023', 'kind': 'attainment', 'severity': 'critical'}]
    """
    frames = []
    if attainment is not None and len(attainment):
        risky = attainment[attainment["p_attain"].notna() & (attainment["p_attain"] < threshold)]
        if len(risky):
            p = risky["p_attain"].to_numpy(dtype=float)
            messages = [
                f"P(reaching the {int(y)} target of {readable(t)}) = {pa:.2f}; expected {readable(e)} "
                f"(80 %: {readable(lo)} to {readable(hi)}); needs {readable(r)} a month for {int(m)} months"
                if m and m > 0 else
                f"P(reaching the {int(y)} target of {readable(t)}) = {pa:.2f}; expected {readable(e)}"
                for y, t, pa, e, lo, hi, r, m in zip(
                    risky["year"], risky["target"], p, risky["expected_total"], risky["lower_80"],
                    risky["upper_80"], risky["required_monthly_rate"], risky["months_remaining"].fillna(0),
                    strict=True)
            ]
            frames.append(pd.DataFrame({
                "series_id": risky["series_id"].to_numpy(), "period": risky["year"].astype(int).astype(str),
                "kind": "attainment", "severity": np.where(p < critical, "critical", "warning"),
                "score": 1 - p, "message": messages,
                "amount": np.abs(risky["target"].to_numpy(float) - risky["expected_total"].to_numpy(float)),
                "favourable": False,
            }))
    if exceptions is not None and len(exceptions):
        kind = exceptions["kind"].to_numpy()
        prob = exceptions["probability"].to_numpy(dtype=float)
        share = np.abs(exceptions["relative_size"].to_numpy(dtype=float))
        size = exceptions["size"].to_numpy(dtype=float)
        severe = np.where(kind == "missing", size >= critical_missing,
                          (prob >= 0.99) & (np.nan_to_num(share) >= critical_change))
        indicator, _ = split_series_id(exceptions["series_id"])
        lower = indicator.map(direction or {}).eq("lower").to_numpy()
        signed = np.where(lower, -size, size)
        favourable = np.isin(kind, CHANGE_KINDS) & (np.nan_to_num(signed) > 0)
        frames.append(pd.DataFrame({
            "series_id": exceptions["series_id"].to_numpy(), "period": exceptions["period"].astype(str),
            "kind": kind, "severity": np.where(favourable, "notable", np.where(severe, "critical", "warning")),
            "score": prob, "message": exceptions["message"].to_numpy(), "amount": size,
            "favourable": favourable,
        }))
    if not frames:
        return pd.DataFrame(columns=ALERT_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["indicator"], out["unit"] = split_series_id(out["series_id"])
    order = out["severity"].map({"critical": 0, "warning": 1, "notable": 2})
    out = out.assign(_order=order).sort_values(["_order", "score"], ascending=[True, False])
    return out.drop(columns="_order").reset_index(drop=True)[ALERT_COLUMNS]


def lowest_alerts(alerts: pd.DataFrame, units: pd.DataFrame, members: pd.DataFrame | None = None,
                  share: float = 0.5, broad: float = 0.5, dominant: float = 0.5) -> pd.DataFrame:
    """One alert per problem, at the unit where it lives; no copy at each level.

    A problem is one indicator, kind and sign of ``amount``. Working up from the deepest alerts, an
    aggregate unit's alert that alerts below it explain (they add up to at least ``share`` of its
    ``amount``) is either

    - *broad*: at least ``broad`` of its children that carry the indicator (``members``: the
      ``indicator, unit`` pairs with a series; all children when not given), and at least two, have
      the problem. The problem lives at this unit: its alert stays, and the alerts
      below it are dropped (escalation carries it further up), except a part holding more than
      ``dominant`` of the amount, a problem of its own within the broad one; or
    - *narrow*: the problem lives in the few units below, whose alerts stay; this one is dropped.

    An alert nothing below explains stays. ``alerts`` needs ``indicator, unit, kind, amount``;
    ``units`` needs ``code, parent``.

    >>> units = pd.DataFrame({"code": ["kp", "north", "south", "east", "m1", "m2", "m3"],
    ...                       "parent": [None, "kp", "kp", "kp", "north", "north", "south"]})
    >>> alerts = pd.DataFrame({"indicator": "coal", "unit": ["kp", "north", "m1", "m2"], "kind": "step",
    ...                        "amount": [-100.0, -100.0, -50.0, -50.0]})
    >>> lowest_alerts(alerts, units)["unit"].tolist()        # both mines of north: north's problem
    ['north']
    """
    _require(alerts, ["indicator", "unit", "kind", "amount"], "alerts")
    if alerts.empty:
        return alerts
    paths = chains(units)
    children: dict[str, list[str]] = {}
    for code, path in paths.items():
        if len(path) > 1:
            children.setdefault(path[1], []).append(code)
    carried = None if members is None else set(zip(members["indicator"].astype(str), members["unit"].astype(str),
                                                   strict=True))
    frame = alerts.reset_index(drop=True)
    amount = np.nan_to_num(frame["amount"].to_numpy(float))
    keys = list(zip(frame["indicator"].astype(str), frame["kind"].astype(str), np.sign(amount), strict=True))
    unit = frame["unit"].astype(str).tolist()
    depth = np.array([len(paths.get(u, [u])) for u in unit])
    active = np.ones(len(frame), dtype=bool)
    for i in np.argsort(-depth, kind="stable"):
        if not active[i] or unit[i] not in children:
            continue
        below = [j for j in range(len(frame)) if active[j] and j != i and keys[j] == keys[i]
                 and unit[i] in paths.get(unit[j], [])[1:]]
        # The highest active alerts below (a kept county stands for its farms).
        top = [j for j in below if not any(unit[k] in paths.get(unit[j], [])[1:] for k in below if k != j)]
        if not top or sum(abs(amount[j]) for j in top) < share * abs(amount[i]):
            continue
        own = [c for c in children[unit[i]] if carried is None or (keys[i][0], c) in carried]
        hit = {paths[unit[j]][paths[unit[j]].index(unit[i]) - 1] for j in top}
        if len(hit & set(own)) >= max(2, broad * len(own)):
            active[below] = False                       # broad: the problem lives here
            active[[j for j in top if abs(amount[j]) > dominant * abs(amount[i])]] = True
        else:
            active[i] = False                           # narrow: it lives below
    return frame[active].reset_index(drop=True)


def chains(units: pd.DataFrame) -> dict[str, list[str]]:
    """Each unit's path to the top of the hierarchy, itself first (``units[code, parent]``)."""
    _require(units, ["code", "parent"], "units")
    parent = {str(c): (None if pd.isna(p) or p == "" else str(p))
              for c, p in zip(units["code"], units["parent"], strict=True)}
    paths: dict[str, list[str]] = {}
    problems = []
    for code in parent:
        path, seen = [code], {code}
        up = parent.get(code)
        while up is not None:
            if up in seen:
                problems.append(Problem("units", None, "parent", f"cycle in the hierarchy at {up!r}"))
                break
            path.append(up)
            seen.add(up)
            up = parent.get(up)
        paths[code] = path
    if problems:
        raise ValidationError(problems)
    return paths


def grouped_line(units: pd.DataFrame, groups: pd.DataFrame, grouping: str) -> pd.DataFrame:
    """The hierarchy along a ``grouping`` beside the territorial one: each unit of ``groups`` (``unit``,
    ``group_code``) hangs under its group, named ``grouping:group_code``, and every group under the top of
    ``units`` (``code``, ``parent``); the other units keep their parents.

    >>> units = pd.DataFrame({"code": ["dprk", "north", "mine-1"], "parent": [None, "dprk", "north"]})
    >>> groups = pd.DataFrame({"unit": ["mine-1"], "group_code": ["coal"]})
    >>> grouped_line(units, groups, "ministry").values.tolist()
    [['dprk', None], ['north', 'dprk'], ['mine-1', 'ministry:coal'], ['ministry:coal', 'dprk']]
    """
    tops = units.loc[units["parent"].isna() | units["parent"].astype(str).eq(""), "code"].tolist()
    if len(tops) != 1:
        raise ValueError(f"a grouped line needs one top unit, not {len(tops)}")
    group_of = {str(u): f"{grouping}:{g}" for u, g in zip(groups["unit"], groups["group_code"], strict=True)}
    line = units[["code", "parent"]].copy()
    line["parent"] = [group_of.get(str(c), p) for c, p in zip(line["code"], line["parent"], strict=True)]
    line["parent"] = line["parent"].astype(object).where(line["parent"].notna(), None)
    nodes = pd.DataFrame({"code": list(dict.fromkeys(group_of.values())), "parent": tops[0]})
    return pd.concat([line, nodes], ignore_index=True)


def escalate(alerts: pd.DataFrame, units: pd.DataFrame, current: str | Period,
             periods: int = 2) -> pd.DataFrame:
    """Where each alert stands in the hierarchy at month ``current``.

    ``alerts`` has ``id``, ``unit``, ``status`` (open, acknowledged, resolved) and ``raised`` (the
    month it was raised; ``period`` is used when there is no ``raised`` column, a year or quarter
    counting from its last month). An open alert climbs one level per ``periods`` months without
    acknowledgement; acknowledged and resolved alerts stay with their unit (level 0).

    Returns ``DataFrame[id, unit, level, escalated_to, path, reached_top]``; ``path`` is the chain
    from the unit to the top joined by ``" > "``.

    >>> units = pd.DataFrame({"code": ["dprk", "north", "farm-1"], "parent": [None, "dprk", "north"]})
    >>> alerts = pd.DataFrame({"id": [1, 2], "unit": ["farm-1", "farm-1"], "raised": ["2023-03", "2023-03"],
    ...                        "status": ["open", "acknowledged"]})
    >>> escalate(alerts, units, "2023-07", periods=2)[["id", "level", "escalated_to"]].to_dict("records")
    [{'id': 1, 'level': 2, 'escalated_to': 'dprk'}, {'id': 2, 'level': 0, 'escalated_to': 'farm-1'}]
    """
    if periods < 1:
        raise ValueError("periods must be at least 1")
    column = "raised" if "raised" in alerts.columns else "period"
    _require(alerts, ["id", "unit", "status", column], "alerts")
    bad = sorted(set(alerts["status"]) - set(ALERT_STATUSES))
    if bad:
        raise ValidationError([Problem("alerts", None, "status", f"unknown status {s!r}") for s in bad])
    now = Period.parse(current).last_month().ordinal
    raised = np.array([Period.parse(p).last_month().ordinal for p in alerts[column].astype(str)])
    paths = chains(units)
    unit = alerts["unit"].astype(str).to_numpy()
    unknown = sorted(set(unit) - set(paths))
    if unknown:
        raise ValidationError([Problem("alerts", None, "unit", f"unknown unit {u!r}") for u in unknown])
    is_open = (alerts["status"] == "open").to_numpy()
    climbed = np.where(is_open, np.maximum(now - raised, 0) // periods, 0)
    height = np.array([len(paths[u]) - 1 for u in unit])
    level = np.minimum(climbed, height)
    return pd.DataFrame({
        "id": alerts["id"].to_numpy(), "unit": unit, "level": level.astype(int),
        "escalated_to": [paths[u][lv] for u, lv in zip(unit, level, strict=True)],
        "path": [" > ".join(paths[u]) for u in unit],
        "reached_top": (level == height) & is_open,
    })[ESCALATION_COLUMNS]
