"""Page one of the review: the stocktake, in words.

The judgements come from :func:`gosplan.engines.stocktake.judge` (codes and numbers read from the
fact table and the outlook); this module turns each into a statement, an owner and the decision
asked of the plenum. Every number printed is one of the judgement's evidence values, formatted by
:func:`evidence_text`; a figure from the outlook is labelled "outlook".

>>> from gosplan.engines.stocktake import Evidence
>>> evidence_text(Evidence("p_attain", 0.004, "outlook", "KP", "grain", "p_attain"))
'< 1 %'
>>> evidence_text(Evidence("rest_vs_path", 0.0031, "facts", "KP", "grain", "rest_vs_path"))
'0.3 %'
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from gosplan.engines.stocktake import Evidence, Judgement, judge, on_course
from gosplan.i18n import N_, _, current_language
from gosplan.i18n.formats import format_month
from gosplan.model import Period
from gosplan.review.format import is_missing, method_word, pct, status_word

if TYPE_CHECKING:
    from gosplan.review.document import ReviewContext

RATING_COLOURS = {"red": "#cf222e", "amber": "#bf8700", "green": "#1a7f37"}
RATING_WORDS = {"red": N_("RED"), "amber": N_("AMBER"), "green": N_("GREEN")}
MONTH_NAMES = [N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"), N_("July"),
               N_("August"), N_("September"), N_("October"), N_("November"), N_("December")]


def rating_word(rating: str) -> str:
    """The rating as printed on its badge: "RED" / "적색"."""
    return _(RATING_WORDS[rating]) if rating in RATING_WORDS else rating.upper()


@dataclass(frozen=True)
class Line:
    """One judgement as printed: rating, statement, owner, decision (and the judgement behind it).

    A number keeps its unit on its line: the space before "%" (and after "<", ">") is non-breaking.
    """

    rating: str
    statement: str
    owner: str
    decision: str
    judgement: Judgement

    def __post_init__(self) -> None:
        for name in ("statement", "owner"):
            text = getattr(self, name).replace(" %", "\u00a0%").replace("< ", "<\u00a0").replace("> ", ">\u00a0")
            object.__setattr__(self, name, text)


@dataclass
class PageOne:
    """The stocktake: a headline and at most seven judgements."""

    window: str  # "January–June 2023"
    headline: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    index: dict[str, object] = field(default_factory=dict)  # national index (fulfilment, method)

    def text_lines(self) -> list[str]:
        """Headline and judgements as plain lines (terminal, Markdown)."""
        out = list(self.headline)
        out += [_("[{rating}] {statement} Owner: {owner}. Decision asked: {decision}", rating=rating_word(ln.rating),
                  statement=ln.statement, owner=ln.owner, decision=ln.decision)
                for ln in self.lines]
        return out


def evidence_text(e: Evidence, digits: int | None = None) -> str:
    """How a piece of evidence is printed (the one formatter of page one)."""
    if e.name == "p_attain":
        return "< 1 %" if e.value < 0.01 else "> 99 %" if e.value > 0.99 else f"{e.value * 100:.0f} %"
    if e.name in ("rest_vs_path", "change"):
        return f"{abs(e.value) * 100:.1f} %"
    if e.name == "annual_done":
        return f"{e.value * 100:.1f} %"
    if e.name == "units_missing":
        return f"{e.value:.0f}"
    return pct(e.value, 0 if digits is None else digits)


def window_name(window: str) -> str:
    """``'2023-01..2023-06' -> 'January–June 2023'``; ``'2023-03..2023-03' -> 'March 2023'``."""
    first, _sep, last = str(window).partition("..")
    last = last or first
    try:
        a, b = Period.parse(first), Period.parse(last)
    except ValueError:
        return str(window)
    from gosplan.review.document import juche_years, year_text

    if a == b:
        return format_month(f"{a.year}-{a.index:02d}", juche=juche_years())
    return _("{first_month}–{last_month} {year}", first_month=_(MONTH_NAMES[a.index - 1]),
             last_month=_(MONTH_NAMES[b.index - 1]), year=year_text(b.year))


class _Words:
    """Names of units, indicators and sectors for the sentences."""

    def __init__(self, ctx: ReviewContext) -> None:
        service = ctx.service
        self.units = service.units().set_index("code")
        indicators = service.indicators().set_index("code")
        self.indicators = indicators["name"]
        sectors = service.sectors().set_index("code")["name"]
        self.sector_of = indicators["sector"].map(sectors).fillna(indicators["sector"])
        self.root = service.root()

    def indicator(self, code: str) -> str:
        return str(self.indicators.get(code, code))

    def unit(self, code: str) -> str:
        if code not in self.units.index:
            return code
        name, kind = self.units.loc[code, "name"], self.units.loc[code, "kind"]
        if current_language() != "en":  # Korean names carry their kind (평안남도, 회창군)
            return str(name)
        named = kind in ("province", "county") and not str(name).lower().endswith(str(kind))
        return f"{name} {kind}" if named else str(name)


def _digits(facts: pd.DataFrame, e: Evidence) -> int:
    if e.column != "fulfilment" or "fulfilment_digits" not in facts:
        return 0
    row = facts[facts["unit"].eq(e.unit) & facts["indicator"].eq(e.indicator)]
    value = row["fulfilment_digits"].iloc[0] if len(row) else 0
    return 0 if is_missing(value) else int(value)


def _indicator_line(j: Judgement, words: _Words, facts: pd.DataFrame, window: str) -> Line:
    ev = {e.name: e for e in j.evidence}
    name = words.indicator(j.subject)

    def text(key: str) -> str:
        return evidence_text(ev[key], _digits(facts, ev[key]))

    row = facts[facts["unit"].eq(words.root) & facts["indicator"].eq(j.subject)].iloc[0]
    status = status_word(row["status"])
    if "annual_done" in ev:
        parts = [_("{name}: {fulfilment} of the plan to date ({status}), {annual_done} of the year's plan done",
                   name=name, fulfilment=text("fulfilment"), status=status, annual_done=text("annual_done"))]
    else:
        parts = [_("{name}: {fulfilment} of the plan to date ({status})", name=name, fulfilment=text("fulfilment"),
                   status=status)]
    if "rest_vs_path" in ev:
        if ev["rest_vs_path"].value > 0:
            parts.append(_("the rest of the year needs {share} above the plan's own path", share=text("rest_vs_path")))
        else:
            parts.append(_("the rest of the year needs {share} below the plan's own path", share=text("rest_vs_path")))
    if "change" in ev:
        if ev["change"].value >= 0:
            parts.append(_("{share} more than a year ago (like for like)", share=text("change")))
        else:
            parts.append(_("{share} less than a year ago (like for like)", share=text("change")))
    statement = "; ".join(parts) + "."
    if "p_attain" in ev:
        if "expected_fulfilment" in ev:
            outlook = _("Outlook: {expected} of the annual target expected, probability of meeting it {probability}.",
                        expected=text("expected_fulfilment"), probability=text("p_attain"))
        else:
            outlook = _("Outlook: probability of meeting it {probability}.", probability=text("p_attain"))
        statement = _join_sentences(statement, outlook)
    elif j.basis == "year":
        statement = _join_sentences(statement, _("The year is over."))
    owner = words.unit(j.owner)
    if "owner_fulfilment" in ev:
        owner = _("{owner} (largest shortfall: {fulfilment} of its plan to date)", owner=owner,
                  fulfilment=text("owner_fulfilment"))
    elif j.owner == words.root:
        owner = _("{sector}, nationally", sector=words.sector_of.get(j.subject, j.subject))
    decision = _decision(j, words.unit(j.owner), name)
    return Line(j.rating, statement, owner, decision, j)


def _join_sentences(first: str, second: str) -> str:
    """Two whole sentences, one after the other (both languages put a space between them)."""
    return f"{first} {second}"


def _decision(j: Judgement, owner: str, name: str) -> str:
    name = name.lower()
    if j.decision == "recover_or_revise":
        return _("Either a recovery programme for {name} from {owner} by the next review, or a revised annual "
                 "target.", name=name, owner=owner)
    if j.decision == "recover":
        return _("A recovery programme for {name} from {owner} by the next review.", name=name, owner=owner)
    if j.decision == "monitor":
        return _("{owner} to report monthly on the catch-up until the next review.", owner=owner)
    if j.decision == "account":
        return _("Hear {owner}'s account of the shortfall; carry it into next year's plan.", owner=owner)
    if j.decision == "order_reports":
        return _("{owner} and the other units listed in the annex to submit the missing reports before the "
                 "figures are used to adjust the plan.", owner=owner)
    raise KeyError(j.decision)


def _merged_line(j: Judgement, words: _Words, facts: pd.DataFrame, window: str) -> Line:
    items = ", ".join(f"{words.indicator(e.indicator).lower()} ({evidence_text(e, _digits(facts, e))})"
                      for e in j.evidence)
    statement = _("Also in doubt, fulfilment of the plan to date: {items}.", items=items)
    owner = words.unit(j.owner) if j.owner != words.root else _("the sectors' units, nationally")
    decision = _("The owners named in the annexes to report monthly on the catch-up until the next review.")
    return Line(j.rating, statement, owner, decision, j)


def _reports_line(j: Judgement, words: _Words, window: str) -> Line:
    items = ", ".join(f"{words.indicator(e.indicator).lower()} {evidence_text(e)}"
                         for e in j.evidence)
    if j.members and len(j.members) == len(j.evidence):
        statement = _("Reports: no complete reports yet for {window}; the key indicators cannot be judged "
                      "(units missing a month: {items}).", window=window, items=items)
    else:
        statement = _("Reports: units with a target that missed a month: {items}. Fulfilment counts only the "
                      "units that reported every month; the others' output is never taken as zero.", items=items)
        if j.members:
            names = ", ".join(words.indicator(m).lower() for m in j.members)
            statement = _join_sentences(statement, _("No complete reports at all for {names}.", names=names))
    decision = _decision(j, words.unit(j.owner), "")
    owner = words.unit(j.owner)
    if j.owner != words.root:
        owner = _("{owner} (most units missing)", owner=owner)
    return Line(j.rating, statement, owner, decision, j)


def page_one(ctx: ReviewContext) -> PageOne:
    """The stocktake of ``ctx.period`` from the fact table and (when registered) the outlook."""
    facts = ctx.facts()
    words = _Words(ctx)
    key = ctx.service.indicators().loc[lambda d: d["key"].astype(bool), "code"].tolist()
    window = window_name(facts["window"].iloc[0]) if len(facts) else str(ctx.period)
    page = PageOne(window)
    if facts.empty:
        page.headline.append(_("No targets or reports for {window}: nothing to judge.", window=window))
        return page
    outlook = ctx.outlook()
    judgements = judge(facts, words.root, key, outlook)
    for j in judgements:
        if j.key == "reports":
            page.lines.append(_reports_line(j, words, window))
        elif j.key == "indicators":
            page.lines.append(_merged_line(j, words, facts, window))
        else:
            page.lines.append(_indicator_line(j, words, facts, window))
    green = on_course(facts, words.root, key, outlook)
    if green:
        names = ", ".join(words.indicator(c).lower() for c in green)
        page.headline.append(_("On course to meet their annual targets (green, nothing asked of the plenum): "
                               "{names}.", names=names))
    plans = plans_line(ctx)
    if plans:
        page.headline.insert(0, plans)
    index = _national_index(facts, words.root, key)
    if index:
        page.index = index
        page.headline.insert(0, _("National index of the key indicators ({method}): {fulfilment} of the plan for "
                                  "{window}.", method=method_word(str(index["method"])),
                                  fulfilment=pct(index["fulfilment"]), window=window))
    return page


def plans_line(ctx: ReviewContext) -> str:
    """The plan(s) every figure of the review compares against, named (with the adopted version, who
    adopted it and when): ``"Compared against: Annual plan 2023 (ap-2023)."``."""
    from gosplan.service.plans import plans_sentence

    return ctx.memo("plans_line", lambda: plans_sentence(ctx.service, ctx.facts().get("plan")))


def _national_index(facts: pd.DataFrame, root: str, key: list[str]) -> dict[str, object]:
    try:
        from gosplan.engines.facts import weighted_index
    except ImportError:
        return {}
    if "value_target" not in facts:
        return {}
    top = facts[facts["unit"].eq(root) & facts["indicator"].isin(key)]
    index = weighted_index(top)
    if index.empty or not np.isfinite(index["fulfilment"].iloc[0]):
        return {}
    return index.iloc[0].to_dict()


def stocktake_headers() -> list[str]:
    """The headers of page one's table after "#": likelihood, judgement, owner, decision."""
    return [_("Likelihood"), _("Judgement"), _("Owner"), _("Decision asked of the plenum")]


def page_one_html(page: PageOne | None) -> str:

    """Page one as HTML: the headline and a table of judgements (rating, judgement, owner, decision)."""
    if page is None:
        return ""
    out = "".join(f"<p class=\"headline\">{html.escape(line)}</p>" for line in page.headline)
    if not page.lines:
        return out + "<p>" + html.escape(_("No key indicator is in doubt.")) + "</p>"
    rows = []
    for i, line in enumerate(page.lines, 1):
        colour = RATING_COLOURS[line.rating]
        badge = f'<span class="rag" style="background:{colour}">{html.escape(rating_word(line.rating))}</span>'
        rows.append(f'<tr data-rating="{line.rating}"><td class="num">{i}</td><td class="rating">{badge}</td>'
                    f"<td>{html.escape(line.statement)}</td><td>{html.escape(line.owner)}</td>"
                    f"<td>{html.escape(line.decision)}</td></tr>")
    head = "<thead><tr><th class=\"num\">#</th>" + "".join(f"<th>{html.escape(h)}</th>" for h in stocktake_headers()) \
        + "</tr></thead>"
    return out + f'<table class="table stocktake">{head}<tbody>{"".join(rows)}</tbody></table>'
