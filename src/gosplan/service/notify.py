"""Who hears of what: the events that queue mail (:mod:`gosplan.service.mail`) and their recipients.

A message for a unit goes to the nearest people responsible for it: the accounts with a mail address
whose subtree is the unit itself, else its parent, and so on up to the top (admins of the whole
country last), and the accounts of the unit's ministry (a group scope that covers the unit). Events:

- an alert escalated to a unit (``alert``);
- an approval requested: a unit submitted, or a level approved below the top (``approval``, to the
  planners and admins of the next unit up);
- a deadline near and missed: a unit that still owes reports of a month (``deadline``);
- an action accepted (``action``, to the users of its owner unit);
- an action plan adopted (``action``, to the people of every owner and co-owner unit: their actions
  and first milestones).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import pandas as pd

from gosplan.i18n import _
from gosplan.model import Period
from gosplan.service.accounts import Principal, acts_within
from gosplan.service.core import Service
from gosplan.service.mail import queue
from gosplan.store._common import utc_now

#: Days before a deadline when units that still owe reports are reminded.
NEAR_DAYS = 3


def responsible(service: Service, unit: str, roles: Iterable[str] | None = None) -> list[str]:
    """The enabled accounts with a mail address nearest above (or at) ``unit`` with one of ``roles``."""
    settings = service.store.mail_settings()
    if settings.empty:
        return []
    users = service.store.users()
    users = users[~users["disabled"].astype(bool) & users["name"].isin(settings["user_name"])]
    if roles is not None:
        users = users[users["role"].isin(list(roles))]
    hierarchy = service.hierarchy()
    if unit not in hierarchy.parent:
        return []
    # A ministry's accounts hear of their own units (beside the territorial line), and never stand in for
    # the top: without a subtree they are not the whole country's.
    grouped = users["scope_group"].notna()
    ministry = {str(r.name) for r in users[grouped].itertuples(index=False)
                if acts_within(service, Principal(str(r.name), str(r.role), None, "mail", str(r.scope_grouping),
                                                  str(r.scope_group)), unit)}
    users = users[~grouped]
    for place in [*reversed(hierarchy.path(unit)), None]:
        here = users[users["subtree"].isna()] if place is None else users[users["subtree"] == place]
        if len(here):
            return sorted(set(here["name"].astype(str)) | ministry)
    return sorted(ministry)


def _unit_name(service: Service, unit: str) -> str:
    names = service.units().set_index("code")["name"]
    return f"{unit} ({names[unit]})" if unit in names.index else unit


def alert_escalated(service: Service, alerts: pd.DataFrame) -> int:
    """Alerts (id, indicator, unit, period, message, level, escalated_to) that climbed to a new level."""
    added = 0
    for r in alerts.itertuples(index=False):
        subject = _("Alert escalated to {unit}: {indicator} of {origin}", unit=r.escalated_to,
                    indicator=r.indicator, origin=r.unit)
        body = _("An alert about {indicator} of {origin} ({period}) has not been acknowledged and was escalated "
                 "to {unit} (level {level}).\n\n{message}\n\nSee: gosplan alerts --open",
                 indicator=r.indicator, origin=_unit_name(service, r.unit), period=r.period,
                 unit=_unit_name(service, r.escalated_to), level=int(r.level), message=r.message)
        added += queue(service, "alert", responsible(service, r.escalated_to), subject, body,
                       f"alert:{r.id}:{int(r.level)}")
    return added


def alert_reached_group(service: Service, alerts: pd.DataFrame, grouping: str) -> int:
    """Open alerts (id, indicator, unit, period, message, group) that reached their unit's group along
    ``grouping``: the group's own accounts (a ministry's) hear of each once."""
    users = service.store.users()
    scoped = users[users["scope_grouping"].eq(grouping) & ~users["disabled"].astype(bool)]
    names = service.store.unit_groups(grouping).drop_duplicates("group_code").set_index("group_code")["group_name"]
    added = 0
    for r in alerts.itertuples(index=False):
        members = scoped.loc[scoped["scope_group"].eq(r.group), "name"].astype(str).tolist()
        if not members:
            continue
        group = names.get(r.group, r.group)
        subject = _("Alert for {group}: {indicator} of {origin}", group=group, indicator=r.indicator, origin=r.unit)
        body = _("An alert about {indicator} of {origin} ({period}) has not been acknowledged and has reached "
                 "{group}.\n\n{message}\n\nSee: gosplan alerts --open --line {grouping}",
                 indicator=r.indicator, origin=_unit_name(service, r.unit), period=r.period, group=group,
                 message=r.message, grouping=grouping)
        added += queue(service, "alert", members, subject, body, f"alert:{r.id}:{grouping}")
    return added


def approval_requested(service: Service, unit: str, months: list[str], by: str, state: str,
                       at: str | None = None) -> int:
    """``unit``'s months were submitted (or approved at ``at``, below the top): the unit above ``at``
    (default: above ``unit``) is asked to approve."""
    hierarchy = service.hierarchy()
    above = hierarchy.parent.get(at or unit)
    if above is None:
        return 0
    span = months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"
    subject = _("Approval requested: {unit}, {period}", unit=unit, period=span)
    body = _("{unit} is {state} for {period} (by {user}) and waits for approval at {above}.\n\n"
             "Approve: gosplan approvals approve --unit {code} --period {period}",
             unit=_unit_name(service, unit), state=state, period=span, user=by,
             above=_unit_name(service, above), code=unit)
    return queue(service, "approval", responsible(service, above, ("planner", "admin")), subject, body,
                 f"approval:{unit}:{span}:{state}:{utc_now():%Y%m%d%H%M%S%f}")


def action_accepted(service: Service, action: dict) -> int:
    """An accepted action goes to the users of its owner unit."""
    owner = str(action.get("owner_unit") or "")
    subject = _("Action accepted: {title}", title=action.get("title", ""))
    body = _("The action #{id} \"{title}\" was accepted for {unit}; due {due}.\n\nSee: gosplan actions list",
             id=action.get("id"), title=action.get("title", ""), unit=_unit_name(service, owner),
             due=action.get("due") or "-")
    return queue(service, "action", responsible(service, owner), subject, body, f"action:{action.get('id')}:accepted")


def action_plan_adopted(service: Service, period: str) -> int:
    """The adopted action plan of ``period`` goes to every unit owning or co-owning an action: one
    message per unit's people, listing that unit's actions (queued once per plan version)."""
    from gosplan.service.action_plan import adopted_plan, adoption_notices

    version = int(adopted_plan(service, period)["version"])
    added = 0
    for notice in adoption_notices(service, period):
        added += queue(service, "action", responsible(service, notice["unit"]), notice["subject"], notice["body"],
                       f"action-plan:{period}:{version}:{notice['unit']}")
    return added


def deadlines(service: Service, today: date | None = None) -> tuple[int, int]:
    """Remind the units that still owe reports of a month whose deadline is near (within
    :data:`NEAR_DAYS`), and tell those that missed the last passed deadline. The deadline is the day
    data entry closes when that is set, else the timeliness deadline. Each recipient gets one message
    listing its units, once per month and kind (run it daily). Returns (near, missed) messages queued."""
    from gosplan.service.completeness import compute_completeness, deadline_days
    from gosplan.service.deadlines import closes_on, entry_close_days

    today = today or date.today()
    days = entry_close_days(service)
    days = deadline_days(service) if days is None else days
    this_month = Period.month(today.year, today.month)
    counts = [0, 0]
    for back in (1, 2):
        month = this_month.shift(-back)
        closes = closes_on(month, days)
        if closes >= today + timedelta(days=NEAR_DAYS + 1) and closes >= today:
            continue
        kind = "missed" if closes < today else "near"
        if kind == "missed" and closes < today - timedelta(days=31):
            continue
        try:
            result, _basis, _days = compute_completeness(service, month, as_of=str(month))
        except Exception:  # nothing due yet (no reports at all): nobody to remind
            continue
        owing = result.cells.groupby("unit")[["expected", "received"]].sum()
        owing = owing[owing["expected"] > owing["received"]]
        # One message per recipient listing every unit of theirs that owes reports, not one per unit.
        units_of: dict[str, list[str]] = {}
        for unit, r in owing.iterrows():
            line = _("{unit}: {count} report(s)", unit=_unit_name(service, str(unit)),
                     count=int(r["expected"] - r["received"]))
            for user in responsible(service, str(unit)):
                units_of.setdefault(user, []).append(line)
        day = f"{closes:%Y-%m-%d}"
        for user, lines in sorted(units_of.items()):
            listing = "\n".join(f"- {line}" for line in lines)
            if kind == "near":
                subject = _("Reports of {period} due by {day}: {count} unit(s)", period=str(month), day=day,
                            count=len(lines))
                body = _("These units still owe reports of {period}; the deadline is {day}.", period=str(month),
                         day=day) + "\n\n" + listing
            else:
                subject = _("Deadline of {period} missed: {count} unit(s)", period=str(month), count=len(lines))
                body = _("These units owe reports of {period}; the deadline was {day}.", period=str(month),
                         day=day) + "\n\n" + listing
                if entry_close_days(service) is not None:
                    body += "\n\n" + _("Data entry for the month is closed: a late value needs a planner's "
                                         "permission.")
            counts[kind == "missed"] += queue(service, "deadline", [user], subject, body, f"deadline:{kind}:{month}")
    return counts[0], counts[1]
