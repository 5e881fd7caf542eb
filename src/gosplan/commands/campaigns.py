"""``gosplan campaigns``: movements, how far they spread (Bass fit, reach forecast), what they changed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gosplan import terminal
from gosplan.commands._common import DbOption, FormatOption, NewDbOption, console, emit, open_service

app = typer.Typer(help="Movements (campaigns): spread, reach forecast and effect on output per worker.",
                  no_args_is_help=True)


@app.command("list")
def list_(fmt: FormatOption = "table", db: DbOption = None) -> None:
    """Every movement with how many units joined out of how many could."""
    from gosplan.service.campaigns import LIST_COLUMNS, campaign_list

    frame = campaign_list(open_service(db))
    if emit(frame, fmt, LIST_COLUMNS):
        return
    table = terminal.table("Movements", caption="Joined: units that joined, of those that could.")
    terminal.text(table, "Name", min_width=16)
    terminal.number(table, "Started")
    terminal.text(table, "At", min_width=8)
    terminal.text(table, "Indicator", min_width=8)
    terminal.number(table, "Joined")
    terminal.number(table, "Last join")
    for r in frame.itertuples(index=False):
        table.add_row(str(r.name), str(r.start), str(r.origin_unit), str(r.indicator),
                      f"{r.members} of {r.eligible} ({100 * r.share_joined:.0f} %)", str(r.last_join or "–"))
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
    console.print(f"[bold]{c['name']}[/] — started {c['start']} at {c['origin_unit']} ({c['indicator']}): "
                  f"{c['description']}")
    console.print(f"{len(view.members)} of {view.eligible} eligible units joined: "
                  + ", ".join(f"{r.unit} {r.joined}" for r in view.members.itertuples()))
    if view.fit is not None:
        fit = view.fit
        end = view.forecast.iloc[-1]
        console.print(f"Bass fit: innovation p = {fit.p:.3f}, imitation q = {fit.q:.2f}, potential m = {fit.m:.1f} "
                      f"units (RMSE {fit.rmse:.2f}); joins peak {fit.peak_month:.1f} months after "
                      f"{month_label(fit.start)}; reach by {end['period']}: {end['cumulative']:.1f} "
                      f"units ({100 * end['share_of_potential']:.0f} % of those eligible)")
    if view.effect is not None:
        estimate, low, high = view.effect_percent  # type: ignore[misc]
        level = round(100 * view.effect.level)
        console.print(f"Effect of joining on output per worker: [bold]{estimate:+.1f} %[/] "
                      f"({level} % interval {low:+.1f} .. {high:+.1f} %); {view.effect_note}")
    else:
        console.print(f"Effect of joining: not estimated ({view.effect_note})")
    from gosplan.review.sections.potential import movement_sector_sentences

    names = open_service(db).indicators().set_index("code")["name"].str.lower().to_dict()
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
        console.print(f"[yellow]note:[/] {path} held {result.kind}, imported as such")
    console.print(f"[green]{path}[/]: {result.kind}: {result.rows:,} rows — {result.new:,} new, "
                  f"{result.revised:,} revised, {result.unchanged:,} unchanged")
