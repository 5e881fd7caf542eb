"""Potentiality: Beer's three indices per sector, development projects and what their delays cost,
science and technology, and movements across sectors.

The sentence builders here are shared by the review, ``gosplan potential`` and the web page, so every
interface says the same thing in the same words.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from gosplan.errors import NotFound
from gosplan.i18n import N_, _
from gosplan.i18n.codes import word_of
from gosplan.model import Period
from gosplan.review.document import ReviewContext, Section, section
from gosplan.review.format import html_table, is_missing, pct, qty, status_word

#: The kinds of development project, as read in a table.
PROJECT_KIND_WORDS = {"housing": N_("housing"), "capacity": N_("new capacity"), "modernisation": N_("modernisation"),
                      "research": N_("research")}


def kind_word(kind: object) -> str:
    """A development project's kind in the reader's language (the code itself if unknown)."""
    return word_of(PROJECT_KIND_WORDS, kind)


def _sector_names(service) -> pd.Series:
    return service.sectors().set_index("code")["name"]


def _names(service) -> tuple[dict[str, str], dict[str, str]]:
    """Indicator names (lower case, as inside a sentence) and unit names by code."""
    indicators = service.indicators().set_index("code")["name"].str.lower().to_dict()
    return indicators, service.units().set_index("code")["name"].to_dict()


def index_columns(names: pd.Series, indicators: dict[str, str]) -> list:
    """The columns of the per-sector table of Beer's indices."""
    return [
        (_("Sector"), "", lambda r: str(names.get(r["sector"], r["sector"]))),
        (_("Output"), "", lambda r: str(indicators.get(r["indicator"], r["indicator"]))),
        (_("Actuality"), "num", lambda r: qty(r["actuality"], r["uom"])),
        (_("Capability"), "num", lambda r: qty(r["capability"], r["uom"])),
        (_("Potentiality"), "num", lambda r: qty(r["potentiality"], r["uom"])),
        (_("Productivity"), "num", lambda r: pct(r["productivity"])),
        (_("Latency"), "num", lambda r: pct(r["latency"])),
        (_("Performance"), "num", lambda r: pct(r["performance"])),
    ]


def indices_sentence(sectors: pd.DataFrame, names: pd.Series, period: str,
                     indicators: dict[str, str] | None = None) -> str:
    """The sector with the most latent output (lowest latency) and the least productive one."""
    indicators = indicators or {}
    latent = sectors.sort_values("latency").iloc[0]
    slack = sectors.sort_values("productivity").iloc[0]

    def label(row: pd.Series) -> str:  # by its output: metallurgy makes rolled steel and non-ferrous metals
        return str(indicators.get(row["indicator"], row["indicator"]))

    return _("Potentiality in {period}: the sectors produce {performance} of what is within reach with their "
             "projects and the technology already proven; {latent} has the most latent output (latency "
             "{latency}: {added} more from its projects and technology); in {slack} the units work furthest "
             "below the best practice of their peers (productivity {productivity}).", period=period,
             performance=pct(sectors["actuality"].sum() / sectors["potentiality"].sum()) if
             sectors["uom"].nunique() == 1 else _("between {low} and {high}", low=pct(sectors["performance"].min()),
                                                  high=pct(sectors["performance"].max())),
             latent=label(latent), latency=pct(latent["latency"]),
             added=qty(latent["potentiality"] - latent["capability"], latent["uom"]),
             slack=label(slack), productivity=pct(slack["productivity"]))


def late_sentences(costs: pd.DataFrame, year: int, indicators: dict[str, str] | None = None) -> list[str]:
    """One sentence per late project with what its delay costs in ``year``, in physical units."""
    indicators = indicators or {}
    lines = []
    for _project, rows in costs.groupby("project", sort=False):
        first = rows.iloc[0]
        rows = rows.sort_values("cost")  # the output not made first, then the savings forgone
        parts = [_("{amount} of {good} not produced", amount=qty(r.lost, r.uom), good=indicators.get(r.good, r.good))
                 if r.cost == "output" else
                 _("{amount} of {good} not saved", amount=qty(r.lost, r.uom), good=indicators.get(r.good, r.good))
                 for r in rows.itertuples()]
        lines.append(_("{name} is {status}: commissioning forecast {forecast} against {planned}; the delay costs "
                       "{costs} in {year}.", name=first["name"], status=status_word(first["status"]),
                       forecast=first["forecast"],
                       planned=first["planned"], costs="; ".join(parts), year=year))
    return lines


def capacity_sentence(added: pd.DataFrame, uoms: pd.Series, year: int, indicators: dict[str, str] | None = None,
                      units: dict[str, str] | None = None) -> str | None:
    """Capacity the projects add to ``year`` (at the forecast commissioning)."""
    indicators, units = indicators or {}, units or {}
    added = added[added["capacity"] > 0]
    if added.empty:
        return None
    items = ", ".join(_("{amount} of {indicator} at {unit}", amount=qty(r.capacity, uoms.get(r.indicator, "")),
                        indicator=indicators.get(r.indicator, r.indicator), unit=units.get(r.unit, r.unit))
                      for r in added.itertuples())
    return _("Projects commissioned by {year} add capacity for the months they work in it: {items}.", year=year,
             items=items)


def science_table(service, frame: pd.DataFrame) -> pd.DataFrame:
    """Research projects: state, technology introduced, its effect on a norm, adopters and the measured
    effect of adopting (the movement's difference in differences in the adopters' sector)."""
    from gosplan.service.campaigns import campaign_view
    from gosplan.service.potentiality import norm_effects

    research = frame[frame["kind"].eq("research")]
    rows = []
    sector_of = service.indicators().set_index("code")["sector"]
    for r in research.itertuples(index=False):
        effects = norm_effects(service, frame[frame["project"].eq(r.project)])
        measured = np.nan
        if isinstance(r.campaign, str):
            sectors = campaign_view(service, r.campaign).sectors.set_index("sector")
            sector = sector_of.get(r.indicator)
            if sector in sectors.index:
                measured = sectors.loc[sector, "effect_percent"]
        rows.append({"project": r.project, "name": r.name, "status": r.status, "introduced": bool(r.complete),
                     "norm": f"{r.norm_good}/{r.indicator}" if isinstance(r.norm_good, str) else None,
                     "norm_change": r.norm_change, "campaign": r.campaign, "adopters": len(set(effects["unit"])),
                     "measured_percent": measured})
    return pd.DataFrame(rows, columns=["project", "name", "status", "introduced", "norm", "norm_change", "campaign",
                                       "adopters", "measured_percent"])


def science_sentence(science: pd.DataFrame, indicators: dict[str, str] | None = None) -> str | None:
    """Research projects, technologies introduced, their effect on a norm and how many units adopted them."""
    if science.empty:
        return None
    introduced = science[science["introduced"]]
    items = "; ".join(_("{name}: {norm} {change}, working at {adopters} units", name=r.name,
                        norm=measure_label(*r.norm.split("/"), indicators or {}),
                        change=f"{100 * r.norm_change:+.0f} %", adopters=r.adopters)
                      for r in introduced.itertuples() if isinstance(r.norm, str))
    return _("Science and technology: research projects {research}, technologies introduced {introduced}. {items}",
             research=len(science), introduced=len(introduced), items=items + "." if items else "")


def measure_label(indicator: str, per: str, indicators: dict[str, str]) -> str:
    """``coal per worker``, ``electricity consumed per rolled steel``: what a movement measures in a sector."""
    if per == "workers":
        return _("{indicator} per worker", indicator=indicators.get(indicator, indicator))
    return _("{indicator} per unit of {per}", indicator=indicators.get(indicator, indicator),
             per=indicators.get(per, per))


def movement_sector_sentences(name: str, view, indicators: dict[str, str] | None = None) -> list[str]:
    """Per sector: who joined, the measured effect on the sector's own indicator, and a stall."""
    indicators = indicators or {}
    lines = []
    for r in view.sectors.itertuples(index=False):
        if is_missing(r.effect_percent):
            effect = _("effect not estimated ({reason})", reason=r.note or _("too few units"))
        else:
            effect = _("{measure} {effect} ({low}..{high})", measure=measure_label(r.indicator, r.per, indicators),
                       effect=f"{r.effect_percent:+.1f} %",
                       low=f"{r.ci_low:+.1f}", high=f"{r.ci_high:+.1f}")
        line = _("{movement} in {sector}: {joined} of {eligible} units joined; {effect}.", movement=name,
                 sector=str(r.sector_name).lower(), joined=r.joined, eligible=r.eligible, effect=effect)
        if r.stalled:
            line += " " + stall_sentence(r.stall_reason, r.joined, r.eligible, r.bass_m)
        lines.append(line)
    if view.stall.stalled:
        lines.append(_("{movement} has stalled overall:", movement=name) + " " + stall_sentence(
            view.stall.reason, view.stall.joined, view.stall.eligible, view.stall.fitted_potential))
    return lines


def stall_sentence(reason: str | None, joined: int, eligible: int, fitted: float | None) -> str:
    if reason == "no_room":
        return _("Stalled: the fitted potential ({fitted}) is what has joined already; eligible units not "
                 "joined: {left}.", fitted=f"{float(fitted or 0.0):.1f}", left=eligible - joined)
    return _("Stalled: no unit joined for three months; eligible units not joined: {left}.", left=eligible - joined)


def development(service, period: str) -> tuple[list[str], dict[str, pd.DataFrame]]:
    """Sentences on the development projects of ``period``'s year and the next (late costs, capacity
    added, science and technology) and the tables behind them; nothing when no project has an outcome."""
    from gosplan.service.potentiality import commissioning, late_costs, year_capacity

    month = Period.parse(period).last_month()
    frame = commissioning(service, month)
    if frame.empty:
        return [], {}
    indicators, unit_names = _names(service)
    uoms = service.indicators().set_index("code")["unit"]
    year = month.year
    each = [late_costs(service, y, month) for y in (year, year + 1)]
    costs = pd.concat([c for c in each if len(c)] or each[:1], ignore_index=True)
    lines = []
    for y in (year, year + 1):
        lines.extend(late_sentences(costs[costs["year"].eq(y)], y, indicators))
    added = year_capacity(service, year + 1, month)
    science = science_table(service, frame)
    lines.extend(line for line in (capacity_sentence(added, uoms, year + 1, indicators, unit_names),
                                   science_sentence(science, indicators)) if line)
    return lines, {"projects_development": frame, "late_costs": costs, "capacity_added": added, "science": science}


def year_lines(service, year: int) -> list[str]:
    """What the projects add to ``year``'s capacity and what their delays cost in it (for a plan balance)."""
    from gosplan.service.potentiality import late_costs, year_capacity

    if service.store.project_outcomes().empty:
        return []
    indicators, unit_names = _names(service)
    uoms = service.indicators().set_index("code")["unit"]
    line = capacity_sentence(year_capacity(service, year), uoms, year, indicators, unit_names)
    return ([line] if line else []) + late_sentences(late_costs(service, year), year, indicators)


def movement_lines(service) -> tuple[list[str], dict[str, pd.DataFrame]]:
    """Per movement and sector: spread, effect and stall sentences, and the per-sector tables."""
    from gosplan.service.campaigns import campaign_list, campaign_view

    lines, tables = [], {}
    for name in campaign_list(service)["name"]:
        view = campaign_view(service, name)
        lines.extend(movement_sector_sentences(name, view, _names(service)[0]))
        tables[f"movement_sectors:{name}"] = view.sectors
    return lines, tables


@section(order=67, key="potential")
def potential_section(ctx: ReviewContext) -> Section | None:
    from gosplan.service.potentiality import potential

    try:
        view = ctx.memo("potential", lambda: potential(ctx.service, ctx.period))
    except NotFound:
        return None
    names = _sector_names(ctx.service)
    indicators, _units = _names(ctx.service)
    summary = [indices_sentence(view.sectors, names, ctx.period, indicators)]
    body = (f"<h3>{html.escape(_('Actuality, capability and potentiality by sector'))}</h3>"
            + html_table(view.sectors, index_columns(names, indicators))
            + '<p class="note">' + html.escape(beer_note()) + "</p>")
    tables = {"potential_sectors": view.sectors, "potential_units": view.units}
    lines, more = development(ctx.service, ctx.period)
    if lines:
        frame = more["projects_development"]
        uoms = ctx.service.indicators().set_index("code")["unit"]
        body += f"<h3>{html.escape(_('Development projects'))}</h3>" + html_table(frame, [
            (_("Project"), "", lambda r: r["name"]), (_("Kind"), "", lambda r: kind_word(r["kind"])),
            (_("Adds a year"), "num", lambda r: qty(r["capacity"], uoms.get(r["indicator"], ""))),
            (_("Norm"), "", lambda r: measure_label(r["norm_good"], r["indicator"], indicators)
             + f" {100 * r['norm_change']:+.0f} %" if not is_missing(r["norm_change"]) else "–"),
            (_("Planned"), "num", lambda r: r["planned"]), (_("Forecast"), "num", lambda r: r["forecast"] or "–"),
            (_("Status"), "status", lambda r: status_word(r["status"]))])
        body += "".join(f"<p>{html.escape(line)}</p>" for line in lines)
        summary.extend(lines)
        tables.update(more)
    lines, more = movement_lines(ctx.service)
    if lines:
        body += (f"<h3>{html.escape(_('Movements across sectors'))}</h3><ul>"
                 + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>")
        summary.extend(lines)
        tables.update(more)
    return Section("potential", _("Potentiality: development, science and movements"), body, summary, tables,
                   lead=_("What each sector does, could do with what it has, and could do with its projects "
                          "and proven technology; what late projects cost; how far movements spread."))


def beer_note() -> str:
    """What the three indices are (a sentence, translated when read)."""
    return _("Beer's indices: actuality is the output reported; capability the output of the best practice of "
             "the unit's peer group with the unit's own inputs (DEA, variable returns); potentiality adds the "
             "capacity of the unit's projects not yet commissioned and the measured gain of a movement's "
             "technology it has not adopted. Productivity = actuality / capability, latency = capability / "
             "potentiality, performance = actuality / potentiality.")
