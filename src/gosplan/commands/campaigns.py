"""``gosplan campaigns``: movements, how far they spread (Bass fit, reach forecast), what they changed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import DbOption, FormatOption, NewDbOption, console, emit, open_service
from gosplan.i18n import _

app = typer.Typer(help="Movements (campaigns): spread, reach forecast and effect on output per worker.",
                  no_args_is_help=True)


@app.command("list")
def list_(fmt: FormatOption = "table", db: DbOption = None) -> None:
    """Every movement with how many units joined out of how many could."""
    from gosplan.service.campaigns import LIST_COLUMNS, campaign_list

    service = open_service(db)
    frame = campaign_list(service)
    if emit(frame, fmt, LIST_COLUMNS):
        return
    units = service.units().set_index("code")["name"]
    indicators = service.indicators().set_index("code")["name"]
    table = terminal.table(_("Movements"), caption=_("Joined: units that joined, of those that could."))
    terminal.text(table, _("Name"), min_width=20)  # a movement is named by its code: not to be cut
    terminal.number(table, _("Started"))
    terminal.text(table, _("At"), min_width=8)
    terminal.text(table, _("Indicator"), min_width=8)
    terminal.number(table, _("Joined"))
    terminal.number(table, _("Last join"))
    for r in frame.itertuples(index=False):
        table.add_row(str(r.name), str(r.start), str(units.get(r.origin_unit, r.origin_unit)),
                      str(indicators.get(r.indicator, r.indicator)),
                      _("{joined} of {eligible} ({share})", joined=r.members, eligible=r.eligible,
                        share=f"{100 * r.share_joined:.0f} %"), str(r.last_join or "–"))
    terminal.show(console, table)


@app.command()
def show(
    name: Annotated[str, typer.Argument(help="The campaign's name (see gosplan campaigns list).")],
    horizon: Annotated[int, typer.Option("--horizon", help="Months of reach forecast after the last join.")] = 12,
    fmt: FormatOption = "table",
    db: DbOption = None,
) -> None:
    """A movement's members, Bass fit and reach forecast, and the effect of joining with its interval
    (csv: the reach forecast; json: everything)."""
    from rich.markup import escape

    from gosplan.i18n import current_language
    from gosplan.i18n.formats import format_period
    from gosplan.model import month_label
    from gosplan.service.campaigns import campaign_view

    view = campaign_view(open_service(db), name, horizon=horizon)
    if fmt == "json":
        console.print_json(data=_as_json(view))
        return
    if fmt != "table":
        emit(view.forecast.assign(campaign=name), fmt)
        return
    c = view.campaign
    service = open_service(db)
    units = service.units().set_index("code")["name"]
    indicators = service.indicators().set_index("code")["name"]
    console.print(_("[bold]{name}[/] — started {start} at {unit} ({indicator}): {description}", name=c["name"],
                    start=format_period(str(c["start"])), unit=units.get(c["origin_unit"], c["origin_unit"]),
                    indicator=indicators.get(c["indicator"], c["indicator"]), description=escape(c["description"])),
                  highlight=False)
    console.print(_("{joined} of {eligible} eligible units joined: {members}", joined=len(view.members),
                    eligible=view.eligible,
                    members=", ".join(f"{r.unit} {r.joined}" for r in view.members.itertuples())), highlight=False)
    if view.fit is not None:
        fit = view.fit
        end = view.forecast.iloc[-1]
        console.print(_("Bass fit: innovation p = {p}, imitation q = {q}, potential m = {m} units (RMSE {rmse}); "
                        "joins peak {peak} months after {start}; reach by {end}: {reach} units ({share} of those "
                        "eligible)", p=f"{fit.p:.3f}", q=f"{fit.q:.2f}", m=f"{fit.m:.1f}", rmse=f"{fit.rmse:.2f}",
                        peak=f"{fit.peak_month:.1f}", start=format_period(month_label(fit.start)),
                        end=format_period(str(end["period"])),
                        reach=f"{end['cumulative']:.1f}", share=f"{100 * end['share_of_potential']:.0f} %"),
                      highlight=False)
    if view.effect is not None:
        estimate, low, high = view.effect_percent  # type: ignore[misc]
        level = round(100 * view.effect.level)
        console.print(_("Effect of joining on output per worker: [bold]{estimate}[/] ({level} interval {low} .. "
                        "{high}); {note}", estimate=f"{estimate:+.1f} %", level=f"{level} %", low=f"{low:+.1f}",
                        high=f"{high:+.1f} %", note=view.effect_note), highlight=False)
    else:
        console.print(_("Effect of joining: not estimated ({note})", note=view.effect_note), highlight=False)
    from gosplan.review.sections.potential import movement_sector_sentences

    names = indicators.to_dict() if current_language() == "ko" else indicators.str.lower().to_dict()
    for line in movement_sector_sentences(name, view, names):  # per sector, each by its own indicator
        console.print(line, highlight=False)


def _as_json(view) -> dict:
    """The whole view for machines: campaign, members, Bass fit with forecast, effect with interval."""
    import json

    def records(frame) -> list:
        return json.loads(frame.to_json(orient="records"))

    out: dict = {"campaign": view.campaign, "eligible": view.eligible, "members": records(view.members)}
    if view.fit is not None:
        out["bass"] = {"p": view.fit.p, "q": view.fit.q, "m": view.fit.m, "rmse": view.fit.rmse,
                       "peak_month": view.fit.peak_month, "forecast": records(view.forecast)}
    if view.effect is not None:
        estimate, low, high = view.effect_percent
        out["effect"] = {"indicator": "output per worker", "percent": estimate, "ci_percent": [low, high],
                         "level": view.effect.level, "n_joined": view.effect.n_joined,
                         "n_comparison": view.effect.n_comparison, "event_study": records(view.effect.event_study)}
    out["effect_note"] = view.effect_note
    out["sectors"] = records(view.sectors)
    out["stall"] = {"stalled": view.stall.stalled, "reason": view.stall.reason,
                    "months_since_last_join": view.stall.months_since_last_join}
    return out


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="A campaigns or campaign_members file (.csv, .xlsx, .parquet).",
                                         exists=True, dir_okay=False)],
    db: NewDbOption = None,
) -> None:
    """Import campaigns or their members (the kind is told from the header), checked like reports."""
    result = open_service(db, create=True).import_file(path)
    if result.kind not in ("campaigns", "campaign_members"):
        console.print(_("[yellow]note:[/] {path} held {kind}, imported as such", path=str(path), kind=result.kind),
                      highlight=False)
    console.print(_("[green]{path}[/]: {kind}: {rows} rows — {new} new, {revised} revised, {unchanged} unchanged",
                    path=str(path), kind=result.kind, rows=f"{result.rows:,}", new=f"{result.new:,}",
                    revised=f"{result.revised:,}", unchanged=f"{result.unchanged:,}"), highlight=False)
