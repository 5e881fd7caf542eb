"""The pages' choice of basis (official or provisional figures, ``?basis=``) and the operations room of an
account scoped to a group such as a ministry.

A page without ``?basis=`` shows what the review shows: official figures once any month is approved,
provisional ones while nobody approves anything (:func:`gosplan.service.workflow.basis_view`). The
switch keeps every other query parameter, and links inside a page carry an explicit choice on.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Query, Request

from gosplan.i18n import _
from gosplan.service import Service
from gosplan.service.accounts import Principal, scope_units
from gosplan.service.workflow import BASES, basis_label, basis_view

Basis = Annotated[str | None, Query(pattern="^(official|provisional)$", description="official or provisional")]


def on_basis(request: Request, service: Service, basis: str | None) -> tuple[Service, dict[str, Any]]:
    """The service whose figures are on the chosen basis (kept in the snapshot's cache, so its fact table
    is built once per snapshot), and the page's switch: which basis it shows, in words, and the links."""
    chosen = basis_view(service, basis)
    shown = chosen.basis
    names = {"official": _("Official"), "provisional": _("Provisional")}
    links = []
    for value in BASES[::-1]:  # official first
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "basis"] + [("basis", value)]
        links.append({"value": value, "label": names[value], "url": f"{request.url.path}?{urlencode(query)}",
                      "active": value == shown})
    return chosen, {"basis": shown, "basis_label": basis_label(shown), "basis_links": links,
                    "basis_q": f"basis={shown}" if basis else ""}


def carry(url: str, context: dict[str, Any]) -> str:
    """``url`` with the page's explicit basis choice carried on (nothing when the page used the default)."""
    extra = context.get("basis_q", "")
    return f"{url}{'&' if '?' in url else '?'}{extra}" if extra else url


def group_overview(service: Service, who: Principal, period: str, indicator: str | None,
                   choices: list[tuple[str, str]], names: dict[str, str], basis_q: str = "") -> dict[str, Any]:
    """The operations room of an account scoped to a group (e.g. the ministry of coal industry): the
    group's roll-up of each key indicator as cards, the league table of its units, and their open alerts."""
    from gosplan.engines.fulfilment import window_of
    from gosplan.service.groupings import group_table
    from gosplan.web.pages import alert_items, fulfilment_rows, shown

    grouping, group = str(who.grouping), str(who.group)
    members = scope_units(service, who) or set()
    key = set(service.indicators().loc[lambda d: d["key"].astype(bool), "code"])
    table = group_table(service, period, service.root(), grouping)
    own = table[table["group_code"].eq(group)]
    group_name = str(own["group_name"].iloc[0]) if len(own) else group
    present = set(own["indicator"])
    choices = [(c, n) for c, n in choices if c in present] or choices  # the league's choice: its own indicators
    codes = [c for c, _n in choices]
    indicator = indicator if indicator in codes else (codes[0] if codes else None)
    cards = own[own["indicator"].isin(key)].assign(
        target=own["target_basis"], actual=own["actual_basis"], expected_year_end=float("nan"),
        probability=float("nan")).sort_values("indicator_name")
    hierarchy = service.hierarchy()
    facts = service.fulfilment(period)
    rows = facts[facts["unit"].isin(members) & facts["unit"].map(hierarchy.is_leaf)]
    rows = rows[rows["indicator"].eq(indicator)] if indicator else rows.iloc[0:0]
    rows = rows.sort_values("fulfilment", ascending=False)
    alerts, more = alert_items(service, names, units=members)
    return {"cards": [shown(card) for card in cards.to_dict("records")], "unit": None,
            "root_name": group_name, "period": period, "window": window_of(period).label, "indicator": indicator,
            "alerts": alerts, "more_alerts": more, "sectors": [], "indicator_choices": choices,
            "group_line": _("The units of {group} ({grouping}) and the units below them: {count} units",
                            group=group_name, grouping=_(grouping), count=len(members)),
            "league_title": _("Units of {group}", group=group_name),
            "league": fulfilment_rows(rows, "unit_name",
                                      lambda r: carry(f"/units/{quote(r['unit'])}", {"basis_q": basis_q}))}


def is_group_scoped(who: Principal) -> bool:
    """Whether ``who`` reads through a group scope (its reads are limited; admins and planners read all)."""
    return bool(who.grouping and who.group) and who.role not in ("admin", "planner")
