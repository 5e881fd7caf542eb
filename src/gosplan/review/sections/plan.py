"""The plan against the record: five-year plan progress and the targets beyond what history supports."""

from __future__ import annotations

import pandas as pd

from gosplan.errors import NotFound
from gosplan.i18n import N_, _
from gosplan.model import Period
from gosplan.review.document import ReviewContext, Section, section
from gosplan.review.format import heading_html, html_table, note_html, prose_qty, qty

TAUTNESS_WORDS = {"beyond capacity": N_("beyond capacity"), "beyond normal weather": N_("beyond normal weather"),
                  "beyond frontier": N_("beyond frontier"),
                  "beyond history": N_("beyond history"), "taut": N_("taut"), "no history": N_("no history"),
                  "slack": N_("slack"), "moderate": N_("moderate")}


def code_word(code: str) -> str:
    """A tautness or progress code in the reader's language."""
    return _(TAUTNESS_WORDS[code]) if code in TAUTNESS_WORDS else str(code)

BEYOND = ("beyond capacity", "beyond normal weather", "beyond frontier", "beyond history")


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
    line = _("Five-year plan: {on_course} of {count} goals for {year} are on course or reached at the growth "
             "achieved so far.", on_course=len(progress) - len(behind), count=len(progress), year=end)
    if len(behind):
        items = "; ".join(_("{name} needs {needed} a year to {year} (achieved {achieved})", name=r.indicator_name,
                            needed=signed(r.growth_needed), year=end, achieved=signed(r.growth_achieved))
                          for r in behind.itertuples())
        line = f"{line} " + _("Faster growth needed: {items}.", items=items)
    return [line]


def tautness_summary(beyond: pd.DataFrame, year: int) -> list[str]:
    """The national targets beyond what history, capacity or normal weather supports."""
    if beyond.empty:
        return [_("Every national target for {year} lies within what the last three years support.", year=year)]
    items = "; ".join(f"{r.indicator_name} ({prose_qty(r.target, r.uom)}, {_reason(r)})" for r in beyond.itertuples())
    return [_("Targets for {year} beyond what the record supports: {items}.", year=year, items=items)]


def _reason(r) -> str:
    if r.code == "beyond capacity":
        return _("{share} of the stored capacity", share=f"{100 * r.capacity_ratio:.0f} %")
    if r.code == "beyond normal weather":
        return _("{change} against normal-weather output of {output}", change=signed(r.vs_normal),
                 output=prose_qty(r.normal_output, r.uom))
    if r.code == "beyond frontier":
        return _("{change} against the efficiency frontier's potential of {potential}", change=signed(r.vs_frontier),
                 potential=prose_qty(r.frontier_output, r.uom))
    return _("{change} against the most the last {years} years support", change=signed(r.vs_ceiling),
             years=int(r.years))


@section(order=58, key="plan")
def plan(ctx: ReviewContext) -> Section | None:
    progress, taut = _load(ctx)
    if progress is None and taut is None:
        return None
    year = Period.parse(ctx.period).year
    body, summary, tables = "", [], {}
    if progress is not None and len(progress):
        first = progress.iloc[0]
        latest = f"{int(first['latest_year'])}"
        if bool(first["latest_is_expected"]):
            latest = _("{year} expected", year=latest)
        end = int(first["target_year"])
        body += heading_html(_("{plan}: progress to {year}", plan=first["plan_name"], year=latest)) + html_table(
            progress, [
            (_("Indicator"), "", lambda r: r["indicator_name"]),
            (str(int(first["first_year"])), "num", lambda r: qty(r["first_level"], r["uom"])),
            (latest, "num", lambda r: qty(r["latest_level"], r["uom"])),
            (_("Target {year}", year=end), "num", lambda r: qty(r["target"], r["uom"])),
            (_("Way done"), "num", lambda r: "–" if r["share_done"] != r["share_done"]
             else f"{100 * r['share_done']:.0f} %".replace("-", "−")),
            (_("Growth a year so far"), "num", lambda r: signed(r["growth_achieved"])),
            (_("Needed a year to {year}", year=end), "num", lambda r: _("reached") if r["code"] == "reached"
             else signed(r["growth_needed"])),
        ]) + note_html(_("The current year counts at the outlook's expected total. Needed a year: (target / latest "
                         "level) ^ (1 / years left) − 1."))
        summary += progress_summary(progress)
        tables["progress"] = progress
    if taut is not None and len(taut):
        national = taut[taut["unit"].eq(ctx.service.root())].reset_index(drop=True)
        beyond = national[national["code"].isin(BEYOND)]
        body += heading_html(_("How taut the {year} targets are", year=year)) + html_table(national, [
            (_("Indicator"), "", lambda r: r["indicator_name"]),
            (_("Annual target"), "num", lambda r: qty(r["target"], r["uom"])),
            (_("Best of the last years"), "num", lambda r: qty(r["last_best"], r["uom"])),
            (_("vs best year"), "num", lambda r: signed(r["vs_best"])),
            (_("Most the record supports"), "num", lambda r: qty(r["history_ceiling"], r["uom"])),
            (_("Capacity used"), "num", lambda r: "–" if r["capacity_ratio"] != r["capacity_ratio"]
             else f"{100 * r['capacity_ratio']:.0f} %"),
            (_("vs frontier"), "num", lambda r: signed(r["vs_frontier"])),
            (_("Tautness"), "", lambda r: code_word(r["code"])),
        ]) + note_html(_("The most the record supports: the best of the last three complete years grown by their "
                         "best year-on-year growth. Capacity used: the target's value at plan prices over the stored "
                         "capacity of its sector. Grain is also set against its normal-weather output.")) \
            + note_html(_("vs frontier: the target against what the enterprises would make with the inputs they "
                          "have at the best practice of their peers (DEA)."))
        summary += tautness_summary(beyond, year)
        tables["tautness"] = national
    return Section("plan", _("The plan against the record"), body, summary, tables)

