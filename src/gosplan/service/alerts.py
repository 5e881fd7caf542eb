"""Alerts: targets at risk, changes and missing months, once per problem, escalating upward.

``raise_alerts`` stores, for month ``as_of``: the targets whose probability of being met is below a
threshold (from the one outlook, :func:`gosplan.service.forecasts.forecast`), the changes
:func:`gosplan.forecast.detect` finds, and every month an enterprise has not reported this year
(an April missing by July too). Alerts are direction-aware (a change for the better is ``notable``,
never critical), carry the indicator's unit in their message, and are raised once per problem: at
the lowest unit where it lives (:func:`gosplan.forecast.lowest_alerts`), not copied at each level;
``escalation`` moves unacknowledged ones up the hierarchy every ``periods`` months (meta setting
``alert_escalation_periods``, default 2). ``refresh_alerts`` raises the alerts of the latest month
reported once (the monthly refresh the review and ``gosplan alerts`` rely on).
"""

from __future__ import annotations

import re

import pandas as pd

from gosplan.errors import NotFound
from gosplan.forecast import detect, escalate, lowest_alerts, make_alerts, missing_months, series_id, split_series_id
from gosplan.i18n import _, current_language, use_language
from gosplan.model import Period, month_label
from gosplan.runner import Runner
from gosplan.service._forecast_model import forecast_indicators, monthly_history
from gosplan.service.forecasts import forecast
from gosplan.service.wording import attainment_message, change_message, missing_message
from gosplan.store import WriteSummary

ESCALATION_PERIODS_KEY = "alert_escalation_periods"
RAISED_KEY = "alerts_raised_as_of"
DEFAULT_ESCALATION_PERIODS = 2
DEFAULT_THRESHOLD = 0.5


def _as_of(as_of: str | Period) -> Period:
    return Period.parse(as_of).last_month()


def exceptions(service, as_of: str | Period, indicators: list[str] | None = None,
               runner: Runner | None = None) -> pd.DataFrame:
    """Changes :func:`gosplan.forecast.detect` finds in the monthly series of every unit with a target,
    and the months each enterprise has not reported this year (kind ``missing``)."""
    p = _as_of(as_of)
    codes = forecast_indicators(service, indicators)
    table = forecast(service, p, indicators=codes, runner=runner)

    def run() -> pd.DataFrame:
        history = monthly_history(service, p, codes, units=sorted(set(table["unit"])))
        found = detect(history, as_of=p, runner=runner or service.runner)
        found = found[found["kind"].ne("missing")]
        found = pd.concat([found, _missing(service, p, codes, set(table["unit"]))], ignore_index=True)
        found["indicator"], found["unit"] = split_series_id(found["series_id"])
        return found.reset_index(drop=True)

    return service._cached(("exceptions", str(p), tuple(codes)), run)


def _missing(service, p: Period, codes: list[str], units: set[str]) -> pd.DataFrame:
    """Months not reported this year by the enterprises that reported in the twelve months to ``p``."""
    hierarchy = service.hierarchy()
    leaves = [u for u in units if hierarchy.is_leaf(u)]
    if not leaves:
        return pd.DataFrame(columns=["series_id", "period", "kind", "size", "relative_size", "probability",
                                     "message"])
    reports = service.store.reports(indicators=codes, units=leaves, first=month_label(p.ordinal - 11), last=str(p))
    reports = reports.assign(series_id=[series_id(i, u) for i, u in zip(reports["indicator"], reports["unit"],
                                                                        strict=True)])
    return missing_months(reports[["series_id", "period", "value"]], p)


def _messages(alerts: pd.DataFrame, outlook: pd.DataFrame, found: pd.DataFrame, service) -> list[str]:
    """Each alert's message with the indicator's unit and readable numbers."""
    uom = service.indicators().set_index("code")["unit"]
    rows = outlook.set_index("series_id")
    changes = found.set_index(["series_id", "kind", "period"])
    messages = []
    for a in alerts.itertuples(index=False):
        unit_of = str(uom.get(a.indicator, ""))
        if a.kind == "attainment" and a.series_id in rows.index:
            r = rows.loc[a.series_id]
            messages.append(attainment_message(int(r["year"]), r["target"], r["expected_total"], r["lower_80"],
                                               r["upper_80"], r["p_attain"], float(r["rest_needed"]),
                                               float(r["rest_vs_path"]), unit_of))
        elif a.kind == "missing":
            messages.append(missing_message(str(a.message).removeprefix("no report for ").split(", ")))
        elif (a.series_id, a.kind, a.period) in changes.index:
            e = changes.loc[(a.series_id, a.kind, a.period)]
            e = e.iloc[0] if isinstance(e, pd.DataFrame) else e
            messages.append(change_message(a.kind, float(e["relative_size"]), float(e["size"]), a.period,
                                           float(e["probability"]), unit_of, bool(a.favourable)))
        else:
            messages.append(str(a.message))
    return messages


def alerts_for(service, as_of: str | Period, threshold: float = DEFAULT_THRESHOLD,
               runner: Runner | None = None, languages: tuple[str, ...] = ("en", "ko")) -> pd.DataFrame:
    """The alerts of month ``as_of`` as records (not stored): one per problem, with unit-bearing messages,
    ``message`` in the first of ``languages`` and ``message_<language>`` in each other one."""
    p = _as_of(as_of)
    outlook = forecast(service, p, runner=runner)
    engine_frame = outlook.assign(year=outlook["year"].astype(int))
    found = exceptions(service, p, runner=runner)
    direction = service.indicators().set_index("code")["direction"].to_dict()
    alerts = make_alerts(engine_frame, found, threshold=threshold, direction=direction)
    alerts = lowest_alerts(alerts, service.units()[["code", "parent"]], members=outlook[["indicator", "unit"]])
    if alerts.empty:
        return alerts
    # Stored in both languages, whatever the language of whoever raised them: each reader sees their own.
    first, *others = languages
    with use_language(first):
        alerts = alerts.assign(message=_messages(alerts, outlook, found, service))
    for language in others:
        with use_language(language):
            alerts[f"message_{language}"] = _messages(alerts, outlook, found, service)
    return alerts


def raise_alerts(service, as_of: str | Period, threshold: float = DEFAULT_THRESHOLD,
                 runner: Runner | None = None, periods: int | None = None) -> WriteSummary:
    """Store the alerts of month ``as_of`` (:func:`alerts_for`) once each, then bring the escalation
    of every stored alert up to ``as_of``."""
    p = _as_of(as_of)
    alerts = alerts_for(service, p, threshold=threshold, runner=runner)  # messages in English and Korean
    summary = service.store.write_alerts(alerts, raised=p)
    latest = service.store.get_meta(RAISED_KEY)
    if not latest or latest < str(p):
        service.store.set_meta(RAISED_KEY, str(p))
    escalation(service, p, periods=periods)
    return summary


def alert_messages(service, alerts: pd.DataFrame) -> list[str]:
    """The messages of stored ``alerts`` in the reader's language.

    The store keeps each message in English and in Korean (read in the reader's language); an alert
    stored before it kept a Korean one has its message made again from the alert's codes (indicator,
    unit, kind, period) and the numbers of the month it was raised in, the same way :func:`alerts_for`
    made it. An alert whose numbers cannot be found again keeps its stored message.
    """
    stored = [str(m) for m in alerts["message"]] if "message" in alerts else []
    if current_language() == "en" or alerts.empty:
        return stored
    hangul = re.compile("[가-힣]")
    if current_language() == "ko" and all(hangul.search(text) for text in stored):
        return stored  # read from the store in Korean already
    if current_language() == "ko" and "id" in alerts:  # the Korean messages the store keeps
        korean = service.store.alerts().set_index("id")["message"]
        texts = [str(korean.get(alert_id, text)) for alert_id, text in zip(alerts["id"], stored, strict=True)]
        if all(hangul.search(text) for text in texts):
            return texts
    fresh: dict[tuple[str, str, str, str], str] = {}
    for raised in sorted(set(alerts["raised"].astype(str))):
        try:
            made = alerts_for(service, raised, languages=(current_language(),))
        except NotFound:
            continue
        for row in made.itertuples(index=False):
            fresh[(str(row.indicator), str(row.unit), str(row.kind), str(row.period))] = str(row.message)
    return [fresh.get((str(a.indicator), str(a.unit), str(a.kind), str(a.period)), text)
            for a, text in zip(alerts.itertuples(index=False), stored, strict=True)]


def refresh_alerts(service, as_of: str | Period | None = None, runner: Runner | None = None) -> WriteSummary | None:
    """The monthly refresh: raise the alerts of ``as_of`` (default, and at the latest: the latest month
    reported) unless alerts were already raised for that month or a later one; ``None`` when nothing
    was due. A review of a later period does not turn the months nobody could report yet into alerts."""
    latest = _latest_month(service)
    if latest is None:
        return None
    p = min(_as_of(as_of), _as_of(latest)) if as_of is not None else _as_of(latest)
    done = service.store.get_meta(RAISED_KEY)
    if done and done >= str(p):
        return None
    try:
        return raise_alerts(service, p, runner=runner)
    except NotFound:
        return None


def _latest_month(service) -> str | None:
    return service.store.last_reported_month()


def escalation_periods(service) -> int:
    """Months an alert waits unacknowledged before it climbs a level (meta ``alert_escalation_periods``)."""
    value = service.store.get_meta(ESCALATION_PERIODS_KEY)
    return int(value) if value else DEFAULT_ESCALATION_PERIODS


def escalation(service, as_of: str | Period, periods: int | None = None) -> pd.DataFrame:
    """Where every stored alert stands at ``as_of`` (stored back); the alerts with ``level``,
    ``escalated_to``, ``path`` (unit > ... > top) and ``reached_top``."""
    p = _as_of(as_of)
    stored = service.store.alerts()
    if stored.empty:
        return stored.assign(level=pd.Series(dtype="int64"), path=pd.Series(dtype=object),
                             reached_top=pd.Series(dtype=bool))
    units = service.units()[["code", "parent"]]
    where = escalate(stored[["id", "unit", "status", "raised"]], units, current=p,
                     periods=periods or escalation_periods(service))
    service.store.set_escalation(where)
    _mail_escalated(service, stored, where)
    for grouping in _scoped_groupings(service):  # the accounts of a ministry hear when an alert reaches it
        _mail_reached_group(service, escalation_along(service, grouping, p, stored), grouping)
    return _placed(stored, where)


def _placed(stored: pd.DataFrame, where: pd.DataFrame) -> pd.DataFrame:
    """Stored alerts with where :func:`escalate` placed them (``level``, ``escalated_to``, ``path``...)."""
    merged = stored.drop(columns=["escalation_level", "escalated_to"]).merge(where.drop(columns="unit"), on="id")
    merged["escalation_level"] = merged["level"]
    return merged


def escalation_along(service, grouping: str, as_of: str | Period | None = None,
                     stored: pd.DataFrame | None = None) -> pd.DataFrame:
    """Where each stored alert of a unit in ``grouping`` (e.g. ``ministry``) stands along that line at
    ``as_of`` (default: the latest month reported): from the unit to its group (the ministry) to the top,
    on the same clock as the territorial line. ``path`` and ``escalated_to`` name the group in the reader's
    language; ``group`` is its code. Alerts of units outside the grouping are left out."""
    from gosplan.engines.forecast.alerts import grouped_line

    groups = service.store.unit_groups(grouping, localized=False)
    stored = service.store.alerts() if stored is None else stored
    stored = stored[stored["unit"].isin(set(groups["unit"]))]
    when = as_of if as_of is not None else _latest_month(service)
    if stored.empty or when is None:
        return stored.assign(level=pd.Series(dtype="int64"), path=pd.Series(dtype=object), group=pd.Series(
            dtype=object), reached_top=pd.Series(dtype=bool))
    line = grouped_line(service.units()[["code", "parent"]], groups, grouping)
    where = escalate(stored[["id", "unit", "status", "raised"]], line, current=_as_of(when),
                     periods=escalation_periods(service))
    shown = service.store.unit_groups(grouping)  # the group names in the reader's language
    names = {f"{grouping}:{c}": n for c, n in zip(shown["group_code"], shown["group_name"], strict=True)}
    group_of = dict(zip(groups["unit"], groups["group_code"], strict=True))
    where["group"] = where["unit"].map(group_of)
    where["escalated_to"] = where["escalated_to"].map(lambda code: names.get(code, code))
    where["path"] = where["path"].map(lambda path: " > ".join(names.get(s, s) for s in path.split(" > ")))
    return _placed(stored, where)


def _scoped_groupings(service) -> list[str]:
    """The groupings some enabled account is scoped to (a ministry's accounts)."""
    users = service.store.users()
    scoped = users[users["scope_grouping"].notna() & ~users["disabled"].astype(bool)]
    return sorted(set(scoped["scope_grouping"].astype(str)) & set(service.store.groupings()))


def _mail_reached_group(service, along: pd.DataFrame, grouping: str) -> None:
    """Queue mail for the accounts of a group (a ministry) once for each open alert that has climbed to it."""
    from gosplan.service.notify import alert_reached_group

    reached = along[along["status"].eq("open") & along["level"].ge(1)] if len(along) else along
    if len(reached):
        alert_reached_group(service, reached, grouping)


def _mail_escalated(service, stored: pd.DataFrame, where: pd.DataFrame) -> None:
    """Queue mail for the alerts that climbed above the level stored before (service/notify.py)."""
    from gosplan.service.notify import alert_escalated

    moved = stored[["id", "indicator", "unit", "period", "message", "escalation_level"]].merge(
        where[["id", "level", "escalated_to"]], on="id")
    moved = moved[(moved["level"] > moved["escalation_level"]) & moved["escalated_to"].notna()]
    if len(moved):
        alert_escalated(service, moved)


def list_alerts(service, as_of: str | Period | None = None, open_only: bool = False, unit: str | None = None,
                line: str | None = None) -> pd.DataFrame:
    """Stored alerts (of ``unit``'s subtree), with their escalation path at ``as_of`` when given; with
    ``line`` (a grouping, e.g. ``ministry``), the alerts of that grouping's units with their path along it."""
    if line is not None:
        if line not in service.store.groupings():
            raise NotFound(_("no grouping {line}; known: {known}", line=repr(line),
                             known=", ".join(service.groupings()) or "-"))
        if as_of is not None:
            escalation(service, as_of)  # the territorial line is brought up to date as well
        table = escalation_along(service, line, as_of)
    else:
        table = escalation(service, as_of) if as_of is not None else _with_paths(service, service.store.alerts())
    if open_only:
        table = table[table["status"].eq("open")]
    if unit is not None:
        if unit not in service.hierarchy().parent:
            raise NotFound(_("unknown unit {unit}", unit=repr(unit)))
        table = table[table["unit"].isin(set(service.hierarchy().subtree(unit)))]
    return table.reset_index(drop=True)


def _with_paths(service, stored: pd.DataFrame) -> pd.DataFrame:
    hierarchy = service.hierarchy()
    paths = [" > ".join(reversed(hierarchy.path(u))) if u in hierarchy.parent else u for u in stored["unit"]]
    return stored.assign(level=stored["escalation_level"], path=paths,
                         reached_top=[lv == len(p.split(" > ")) - 1 and s == "open"
                                      for lv, p, s in zip(stored["escalation_level"], paths, stored["status"],
                                                          strict=True)])


def acknowledge(service, alert_id: int, by: str = "cli") -> dict:
    """Acknowledge an open alert (it stops climbing)."""
    service.store.acknowledge_alert(alert_id, by)
    return service.store.alert(alert_id)


def resolve(service, alert_id: int, by: str = "cli") -> dict:
    service.store.resolve_alert(alert_id, by)
    return service.store.alert(alert_id)



__all__ = ["acknowledge", "alert_messages", "alerts_for",
 "escalation", "escalation_periods", "exceptions", "list_alerts",
           "raise_alerts", "refresh_alerts", "resolve"]
