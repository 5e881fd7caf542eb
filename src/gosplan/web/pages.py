"""Read pages: sign-in, the operations room, drill-down by unit and by sector, indicator pages, review."""

from __future__ import annotations

from html import escape
from typing import Annotated, Any
from urllib.parse import quote

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gosplan.api.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    client_address,
    identify,
    require_principal,
    session_token,
)
from gosplan.api.guard import csp_with_hashes
from gosplan.engines.fulfilment import window_of
from gosplan.errors import NotFound, PermissionDenied
from gosplan.i18n import _, gettext
from gosplan.model import Period
from gosplan.review.format import axis_scale, is_missing
from gosplan.review.terminal import change_text, shown_pct
from gosplan.service import Service
from gosplan.service.accounts import (
    Principal,
    authenticate,
    end_session,
    require_read,
    start_session,
    visible_units,
    writable_units,
)
from gosplan.service.operations import breadcrumbs, cards, current_period, league, open_alerts
from gosplan.web.basis import Basis, carry, group_overview, is_group_scoped, on_basis
from gosplan.web.language import set_language_cookie
from gosplan.web.render import render, review_html

router = APIRouter()
Who = Annotated[Principal, Depends(require_principal)]
Text = Annotated[str | None, Query(max_length=64)]


def reader(request: Request, who: Principal) -> Service:
    return request.app.state.gosplan.snapshots.reader(who.name)


def _period(service: Service, period: str | None) -> str:
    if period:
        try:
            return str(Period.parse(period))
        except ValueError:
            pass
    return current_period(service)


def fulfilment_rows(frame: pd.DataFrame, label: str, link) -> list[dict[str, Any]]:
    rows = []
    for r in frame.to_dict("records"):
        r["label"], r["link"] = r[label], link(r)
        rows.append(shown(r))
    return rows


def shown(row: dict[str, Any]) -> dict[str, Any]:
    """A fact-table row with its figures as printed: the fulfilment with the decimals its status class
    needs (at least one), and "vs last year" like for like or "n/c (too few comparable units)"."""
    digits = row.get("fulfilment_digits")
    row["fulfilment_shown"] = shown_pct(row.get("fulfilment"), max(1, 0 if is_missing(digits) else int(digits)))
    note = row.get("change_note") or ""
    if is_missing(row.get("change")) and note:
        row["change_shown"] = _("n/c ({reason})", reason=gettext(note))
    else:
        row["change_shown"] = change_text(row.get("change"))
    return row


def _key_indicators(service: Service) -> list[tuple[str, str]]:
    ind = service.indicators()
    ind = ind[ind["key"].astype(bool)].sort_values("name")
    return list(zip(ind["code"], ind["name"], strict=True))


def _choose(indicator: str | None, choices: list[tuple[str, str]]) -> str | None:
    codes = [c for c, _ in choices]
    return indicator if indicator in codes else (codes[0] if codes else None)


# ------------------------------------------------------------------------------------------ sign-in
@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: Annotated[str, Query(max_length=300)] = "/") -> Response:
    import secrets

    token = secrets.token_urlsafe(24)
    response = render(request, "login.html.j2", user=None, login_csrf=token, next=_safe_next(next), error=None,
                      name="")
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="strict")
    return response


def _safe_next(target: str) -> str:
    # Only local paths: never redirect a signed-in user to another site.
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    import hmac
    import secrets

    form = await request.form()
    name = str(form.get("name", ""))[:64]
    password = str(form.get("password", ""))[:1000]
    target = _safe_next(str(form.get("next", "/"))[:300])
    state = request.app.state.gosplan
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    token = secrets.token_urlsafe(24)

    def again(error: str, status: int) -> Response:
        response = render(request, "login.html.j2", status_code=status, user=None, login_csrf=token, next=target,
                          error=error, name=name)
        response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True, samesite="strict")
        return response

    if not expected or not hmac.compare_digest(expected, str(form.get("csrf_token", ""))):
        return again(_("The sign-in form expired; please try again."), 403)
    keys = (f"ip:{client_address(request)}", f"name:{name.lower()}")
    wait = state.limiter.retry_after(*keys)
    if wait:
        response = again(_("Too many failed sign-ins; try again in {seconds} seconds.", seconds=wait), 429)
        response.headers["Retry-After"] = str(wait)
        return response
    principal = await run_in_threadpool(authenticate, state.snapshots.writer, name, password)
    if principal is None:
        state.limiter.failed(*keys)
        return again(_("Wrong name or password, or the account is disabled."), 401)
    state.limiter.succeeded(keys[1])  # this account's failures only: the address's stay counted
    token, _csrf = await run_in_threadpool(start_session, state.snapshots.writer, principal.name)
    response = RedirectResponse(target, status_code=303)
    state.sessions.set_cookie(response, token)
    saved = await run_in_threadpool(state.snapshots.writer.store.user_language, principal.name)
    if saved:  # the language this user chose before, on any browser
        set_language_cookie(response, saved)
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form()
    if identify(request) is not None:
        check_csrf(request, str(form.get("csrf_token", "")))
        await run_in_threadpool(end_session, request.app.state.gosplan.snapshots.writer, session_token(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# ------------------------------------------------------------------------------------------ overview
@router.get("/", response_class=HTMLResponse)
def overview(request: Request, who: Who, period: Text = None, indicator: Text = None, basis: Basis = None
             ) -> Response:
    service, switch = on_basis(request, reader(request, who), basis)
    if is_group_scoped(who):
        period = _period(service, period)
        names = dict(zip(service.units()["code"], service.units()["name"], strict=True))
        context = group_overview(service, who, period, indicator, _key_indicators(service), names,
                                 switch["basis_q"])
        return render(request, "overview.html.j2", **context, **switch)
    if visible_units(service, who) is not None and who.subtree:
        return RedirectResponse(carry(f"/units/{quote(who.subtree)}", switch), status_code=303)
    period = _period(service, period)
    choices = _key_indicators(service)
    indicator = _choose(indicator, choices)
    # Built once per snapshot and indicator: under load a page then costs little more than its template.
    context = service._cached(("overview", period, indicator), lambda: _overview(service, period, indicator))
    if switch["basis_q"]:  # links carry the explicit choice on (the cached context has the plain links)
        context = {**context, "league": [{**r, "link": carry(r["link"], switch)} for r in context["league"]]}
    return render(request, "overview.html.j2", indicator_choices=choices, **context, **switch)


def warm_overview(service: Service) -> None:
    """Build the overview's context for its default period and indicator into ``service``'s cache (a new
    read snapshot, in the background), so that no viewer's request pays for it."""
    from gosplan.service.workflow import basis_view

    service = basis_view(service)  # the basis a page without ?basis= shows
    period = _period(service, None)
    indicator = _choose(None, _key_indicators(service))
    service._cached(("overview", period, indicator), lambda: _overview(service, period, indicator))


def _overview(service: Service, period: str, indicator: str | None) -> dict[str, Any]:
    root = service.root()
    table = league(service, period, root, indicator)
    names = dict(zip(service.units()["code"], service.units()["name"], strict=True))
    sectors = service.sectors()
    top = sectors[sectors["parent"].isin(sectors.loc[sectors["parent"].isna(), "code"])]
    alerts, more = alert_items(service, names)
    facts = service.facts(period)
    at_root = facts[facts["unit"].eq(root)].set_index("indicator")
    records = cards(service, period, root).to_dict("records")
    for card in records:  # the fact table's note and precision beside the card's figures
        for column in ("change_note", "fulfilment_digits", "produced", "annual_done"):
            card[column] = at_root[column].get(card["indicator"], None)
    return {"cards": [shown(card) for card in records], "unit": root,
            "root_name": names.get(root, root), "period": period, "window": window_of(period).label,
            "indicator": indicator, "alerts": alerts, "more_alerts": more,
            "league": fulfilment_rows(table, "unit_name", lambda r: f"/units/{quote(r['unit'])}"),
            "sectors": list(zip(top["code"], top["name"], strict=True))}


ALERT_CLASS = {"critical": "bad", "warning": "warn", "notable": "good"}


def alert_items(service: Service, names: dict[str, str], limit: int = 12, units: set[str] | None = None
                ) -> tuple[list[dict[str, str]], int]:
    """The most urgent open alerts as the overview lists them (what, where, the message with its units, and
    where the alert stands now), and how many more there are; only those of ``units`` when given."""
    frame = open_alerts(service)
    if units is not None:
        frame = frame[frame["unit"].isin(units)]
    indicator_names = dict(zip(service.indicators()["code"], service.indicators()["name"], strict=True))
    items = []
    for a in frame.head(limit).itertuples(index=False):
        now = str(a.escalated_to or a.unit)
        items.append({
            "severity": str(a.severity), "css": ALERT_CLASS.get(str(a.severity), "none"),
            "what": f"{indicator_names.get(a.indicator, a.indicator)}, {names.get(a.unit, a.unit)}",
            "kind": str(a.kind), "period": str(a.period), "message": str(a.message),
            "link": f"/indicators/{quote(str(a.indicator))}?unit={quote(str(a.unit))}",
            "now": "" if now == a.unit else _("now with {unit}", unit=names.get(now, now)),
        })
    return items, max(len(frame) - limit, 0)


# ------------------------------------------------------------------------------------------ drill-down
@router.get("/units/{code}", response_class=HTMLResponse)
def unit_page(request: Request, who: Who, code: str, period: Text = None, indicator: Text = None,
              saved: Annotated[str | None, Query(max_length=200)] = None, basis: Basis = None) -> Response:
    service, switch = on_basis(request, reader(request, who), basis)
    units = service.units().set_index("code")
    if code not in units.index:
        raise NotFound(_("unknown unit {code}", code=repr(code)))
    require_read(service, who, code)
    period = _period(service, period)
    own = service.status(period, unit=code, by="indicator").table
    children = service.hierarchy().children.get(code, [])
    present = set(own["indicator"])
    choices = [(c, n) for c, n in _key_indicators(service) if c in present] or \
        list(zip(own["indicator"], own["indicator_name"], strict=True))
    indicator = _choose(indicator, choices)
    rows_league = []
    if children and indicator:
        table = league(service, period, code, indicator)
        allowed = visible_units(service, who)
        if allowed is not None:
            table = table[table["unit"].isin(allowed)]
        rows_league = fulfilment_rows(table, "unit_name", lambda r: carry(f"/units/{quote(r['unit'])}", switch))
    writable = writable_units(service, who)
    can_report = not children and (writable is None or code in writable) and who.role != "viewer"
    from gosplan.web.workflow_pages import approval_rows

    return render(request, "unit.html.j2", approvals=approval_rows(service, who, code, period), period=period,
                  code=code, name=units.loc[code, "name"], kind=units.loc[code, "kind"],
                  crumbs=_readable(service, who, breadcrumbs(service, code)), window=window_of(period).label,
                  saved=saved,
                  indicator_rows=fulfilment_rows(own, "indicator_name", lambda r: carry(
                      f"/indicators/{quote(r['indicator'])}?unit={quote(code)}", switch)),
                  children=children, league=rows_league, indicator=indicator, indicator_choices=choices,
                  can_report=can_report, **switch)


def _readable(service: Service, who: Principal, crumbs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The breadcrumbs ``who`` may follow (a ministry's account does not read the provinces above its units)."""
    allowed = visible_units(service, who)
    return crumbs if allowed is None else [c for c in crumbs if c[0] in allowed]


@router.get("/sectors", response_class=HTMLResponse)
@router.get("/sectors/{code}", response_class=HTMLResponse)
def sector_page(request: Request, who: Who, code: str | None = None, unit: Text = None,
                period: Text = None, basis: Basis = None) -> Response:
    service, switch = on_basis(request, reader(request, who), basis)
    sectors = service.sectors()
    if code is not None and code not in set(sectors["code"]):
        raise NotFound(_("unknown sector {code}", code=repr(code)))
    if unit is None and is_group_scoped(who):  # no one unit stands for a ministry: its own room instead
        return RedirectResponse(carry("/", switch), status_code=303)
    unit = unit or (who.subtree if visible_units(service, who) is not None else None) or service.root()
    require_read(service, who, unit)
    period = _period(service, period)
    table = service.sector_fulfilment(period)
    table = table[table["unit"].eq(unit)]
    parent_of = dict(zip(sectors["code"], sectors["parent"], strict=True))
    names = dict(zip(sectors["code"], sectors["name"], strict=True))
    shown = table[table["sector"].map(parent_of).eq(code) if code else table["sector"].map(parent_of).isna()]
    if code and shown.empty:
        shown = table[table["sector"].eq(code)]
    crumbs, node = [], code
    while node is not None and isinstance(node, str):
        crumbs.append((node, names.get(node, node)))
        node = parent_of.get(node)
    indicator_rows = []
    if code:
        own = service.status(period, unit=unit, sector=code, by="indicator").table
        indicator_rows = fulfilment_rows(own, "indicator_name", lambda r: carry(
            f"/indicators/{quote(r['indicator'])}?unit={quote(unit)}", switch))
    shown = shown.assign(sector_name=shown["sector"].map(names),
                         uom=shown["uom"].fillna("") if "uom" in shown else "")
    if "change" not in shown:
        shown = shown.assign(change=float("nan"))
    units_names = dict(zip(service.units()["code"], service.units()["name"], strict=True))
    return render(request, "sectors.html.j2", title=names.get(code, _("Sectors")) if code else _("Sectors"),
                  crumbs=crumbs[::-1], unit_name=units_names.get(unit, unit), window=window_of(period).label,
                  sector_rows=fulfilment_rows(shown, "sector_name", lambda r: carry(
                      f"/sectors/{quote(r['sector'])}?unit={quote(unit)}", switch)),
                  indicator_rows=indicator_rows, **switch)


@router.get("/indicators/{code}", response_class=HTMLResponse)
def indicator_page(request: Request, who: Who, code: str, unit: Text = None, period: Text = None,
                   basis: Basis = None) -> Response:
    service, switch = on_basis(request, reader(request, who), basis)
    indicators = service.indicators().set_index("code")
    if code not in indicators.index:
        raise NotFound(_("unknown indicator {code}", code=repr(code)))
    if unit is None and is_group_scoped(who):
        return RedirectResponse(carry("/", switch), status_code=303)
    unit = unit or service.root()
    if unit not in service.hierarchy().parent:
        raise NotFound(_("unknown unit {code}", code=repr(unit)))
    require_read(service, who, unit)
    period = _period(service, period)
    year = Period.parse(period).year
    curve = service._cached(("cumulative", period, unit, code), lambda: service.cumulative(period, unit, [code]))
    months = [f"{year}-{m:02d}" for m in curve["month"]]
    peak = curve[["cum_target", "cum_previous", "cum_actual"]].max().max() if len(curve) else 0.0
    scale, axis_unit = axis_scale(peak, str(indicators.loc[code, "unit"]))  # "3.5 Mt", never "3.5B"

    def series(column: str) -> list:
        return [None if pd.isna(v) else float(v) * scale for v in curve[column]]
    chart = {"traces": [
        {"x": months, "y": series("cum_target"), "name": "target trajectory", "mode": "lines",
         "line": {"dash": "dash", "color": "#57606a"}},
        {"x": months, "y": series("cum_previous"), "name": f"{year - 1}", "mode": "lines",
         "line": {"color": "#9ecae1"}},
        {"x": months, "y": series("cum_actual"), "name": f"{year} actual", "mode": "lines+markers",
         "line": {"color": "#7a1f1f", "width": 3}}],
        "layout": {"margin": {"t": 30, "r": 10, "l": 60, "b": 40}, "legend": {"orientation": "h"},
                   "yaxis": {"title": {"text": f"cumulative, {axis_unit}"}, "tickformat": ",~r",
                             "hoverformat": ",.3~r"},
                   "title": {"text": "Cumulative since January"}}}
    hierarchy = service.hierarchy()
    history, rows_league = [], []
    if hierarchy.is_leaf(unit):
        frame = service.store.report_history(code, unit)
        frame = frame[frame["period"].str[:4].astype(int) >= year - 1] if len(frame) else frame
        late = service.store.late_reports(units=[unit], indicators=[code])
        marks = {(r.period, int(r.revision)): r.permitted_by for r in late.itertuples(index=False)}
        history = frame.sort_values(["period", "revision"], ascending=[False, False]).to_dict("records")
        for row in history:  # revisions entered after data entry closed (service/deadlines.py)
            row["late_permitted_by"] = marks.get((row["period"], int(row["revision"])))
    else:
        table = league(service, period, unit, code)
        allowed = visible_units(service, who)
        if allowed is not None:
            table = table[table["unit"].isin(allowed)]
        rows_league = fulfilment_rows(table, "unit_name",
                                      lambda r: carry(f"/indicators/{quote(code)}?unit={quote(r['unit'])}", switch))
    names = dict(zip(service.units()["code"], service.units()["name"], strict=True))
    return render(request, "indicator.html.j2", indicator_name=indicators.loc[code, "name"],
                  uom=indicators.loc[code, "unit"], unit_name=names.get(unit, unit), year=year,
                  crumbs=_readable(service, who, breadcrumbs(service, unit)), chart=chart, history=history,
                  league=rows_league,
                  **_metadata(service, code), **switch)


def _metadata(service, code: str) -> dict:
    """The indicator's metadata for its page: labelled fields that are filled in (none: no block)."""
    from gosplan.i18n import _
    from gosplan.service.metadata import field_labels, indicator_card

    card = indicator_card(service, code)
    fields = [(label, str(card[field])) for field, label in field_labels().items()
              if field != "unit" and isinstance(card[field], str) and card[field]]
    return {"metadata": fields, "metadata_title": _("About this indicator")}


# ------------------------------------------------------------------------------------------ review
def _review(request: Request, who: Principal, period: str | None, embed: bool = True) -> str:
    service = reader(request, who)
    if visible_units(service, who) is not None:
        raise PermissionDenied("the review covers the whole economy; this account is limited to a subtree")
    if period:
        try:
            period = str(Period.parse(period))
        except ValueError:
            period = None
    return review_html(service, period, embed_plotly=embed)


@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request, who: Who, period: Text = None) -> HTMLResponse:
    html = _review(request, who, period, embed=False)
    bar = (f'<div class="review-bar"><a href="/">← {escape(_("Operations room"))}</a> · <a id="download" '
           'href="/review/download' + (f'?period={quote(period)}' if period else '')
           + f'">{escape(_("Download as HTML"))}</a></div>')
    style = '<link rel="stylesheet" href="/static/review-web.css">'
    html = html.replace("</head>", style + "</head>", 1).replace("<body>", "<body>" + bar, 1)
    # The review carries its own inline chart scripts: the policy allows exactly those, by hash.
    return HTMLResponse(html, headers={"Content-Security-Policy": csp_with_hashes(html)})


@router.get("/review/download")
def review_download(request: Request, who: Who, period: Text = None) -> Response:
    html = _review(request, who, period)
    return HTMLResponse(html, headers={"Content-Disposition": 'attachment; filename="gosplan-review.html"',
                                       "Content-Security-Policy": csp_with_hashes(html)})
