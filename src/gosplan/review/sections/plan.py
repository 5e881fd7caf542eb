"""The plan against the record: five-year plan progress and the targets beyond what history supports."""

from __future__ import annotations

import pandas as pd

from gosplan.errors import NotFound
from gosplan.model import Period
from gosplan.review.document import ReviewContext, Section, section
from gosplan.review.format import html_table, qty

BEYOND = ("beyond capacity", "beyond normal weather", "beyond history")


def signed(ratio: float) -> str:
    """A growth rate or deviation as printed in the tables and the sentences: ``+4.3 %``."""
    return "–" if ratio != ratio else f"{100 * float(ratio):+.1f} %".replace("-", "−")


def _load(ctx: ReviewContext):
    from gosplan.service.plan_checks import five_year_progress, tautness

    p = Period.parse(ctx.period).last_month()

    def load():
        try:
            progress = five_year_progress(ctx.service, p)
        except NotFound:
            progress = None
        try:
            taut = tautness(ctx.service, p.year)
        except NotFound:
            taut = None
        return progress, taut

    return ctx.memo("plan_checks", load)


def progress_summary(progress: pd.DataFrame) -> list[str]:
    """One sentence for the plan: how many goals are on course, and the ones that need faster growth."""
    first = progress.iloc[0]
    behind = progress[progress["code"].eq("needs faster growth")]
    end = int(first["target_year"])
    line = (f"Five-year plan: {len(progress) - len(behind)} of {len(progress)} goals for {end} are on course or "
            "reached at the growth achieved so far")
    if len(behind):
        items = "; ".join(f"{r.indicator_name} needs {signed(r.growth_needed)} a year to {end} "
                          f"(achieved {signed(r.growth_achieved)})" for r in behind.itertuples())
        line += f". Faster growth needed: {items}"
    return [line + "."]


def tautness_summary(beyond: pd.DataFrame, year: int) -> list[str]:
    """The national targets beyond what history, capacity or normal weather supports."""
    if beyond.empty:
        return [f"Every national target for {year} lies within what the last three years support."]
    items = "; ".join(f"{r.indicator_name} ({qty(r.target, r.uom)}, {_reason(r)})" for r in beyond.itertuples())
    return [f"Targets for {year} beyond what the record supports: {items}."]


def _reason(r) -> str:
    if r.code == "beyond capacity":
        return f"{100 * r.capacity_ratio:.0f} % of the stored capacity"
    if r.code == "beyond normal weather":
        return f"{signed(r.vs_normal)} against normal-weather output of {qty(r.normal_output, r.uom)}"
    return f"{signed(r.vs_ceiling)} against the most the last {int(r.years)} years support"


@section(order=58, key="plan")
def plan(ctx: ReviewContext) -> Section | None:
    progress, taut = _load(ctx)
    if progress is None and taut is None:
        return None
    year = Period.parse(ctx.period).year
    body, summary, tables = "", [], {}
    if progress is not None and len(progress):
        first = progress.iloc[0]
        latest = f"{int(first['latest_year'])}" + (" expected" if bool(first["latest_is_expected"]) else "")
        end = int(first["target_year"])
        body += f"<h3>{first['plan_name']}: progress to {latest}</h3>" + html_table(progress, [
            (_("Indicator"), "", lambda r: r["indicator_name"]),
            (str(int(first["first_year"])), "num", lambda r: qty(r["first_level"], r["uom"])),
            (latest, "num", lambda r: qty(r["latest_level"], r["uom"])),
            (f"Target {end}", "num", lambda r: qty(r["target"], r["uom"])),
            (_("Way done"), "num", lambda r: "–" if r["share_done"] != r["share_done"]
             else f"{100 * r['share_done']:.0f} %".replace("-", "−")),
            (_("Growth a year so far"), "num", lambda r: signed(r["growth_achieved"])),
            (f"Needed a year to {end}", "num", lambda r: "reached" if r["code"] == "reached"
             else signed(r["growth_needed"])),
        ]) + ('<p class="note">The current year counts at the outlook\'s expected total. Needed a year: '
              "(target / latest level) ^ (1 / years left) − 1.</p>")
        summary += progress_summary(progress)
        tables["progress"] = progress
    if taut is not None and len(taut):
        national = taut[taut["unit"].eq(ctx.service.root())].reset_index(drop=True)
        beyond = national[national["code"].isin(BEYOND)]
        body += f"<h3>How taut the {year} targets are</h3>" + html_table(national, [
            (_("Indicator"), "", lambda r: r["indicator_name"]),
            (_("Annual target"), "num", lambda r: qty(r["target"], r["uom"])),
            (_("Best of the last years"), "num", lambda r: qty(r["last_best"], r["uom"])),
            (_("vs best year"), "num", lambda r: signed(r["vs_best"])),
            (_("Most the record supports"), "num", lambda r: qty(r["history_ceiling"], r["uom"])),
            (_("Capacity used"), "num", lambda r: "–" if r["capacity_ratio"] != r["capacity_ratio"]
             else f"{100 * r['capacity_ratio']:.0f} %"),
            (_("Tautness"), "", lambda r: r["code"]),
        ]) + ('<p class="note">The most the record supports: the best of the last three complete years grown by '
              "their best year-on-year growth. Capacity used: the target's value at plan prices over the stored "
              "capacity of its sector. Grain is also set against its normal-weather output.</p>")
        summary += tautness_summary(beyond, year)
        tables["tautness"] = national
    return Section("plan", "The plan against the record", body, summary, tables)
