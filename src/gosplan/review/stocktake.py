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
from gosplan.model import Period
from gosplan.review.format import is_missing, pct

if TYPE_CHECKING:
    from gosplan.review.document import ReviewContext

RATING_COLOURS = {"red": "#cf222e", "amber": "#bf8700", "green": "#1a7f37"}
MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December"]


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
        out += [f"[{ln.rating.upper()}] {ln.statement} Owner: {ln.owner}. Decision asked: {ln.decision}"
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
    first, _, last = str(window).partition("..")
    last = last or first
    try:
        a, b = Period.parse(first), Period.parse(last)
    except ValueError:
        return str(window)
    if a == b:
        return f"{MONTH_NAMES[a.index - 1]} {a.year}"
    return f"{MONTH_NAMES[a.index - 1]}–{MONTH_NAMES[b.index - 1]} {b.year}"


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
    parts = [f"{name}: {text('fulfilment')} of the plan to date ({row['status']})"]
    if "annual_done" in ev:
        parts[0] += f", {text('annual_done')} of the year's plan done"
    if "rest_vs_path" in ev:
        word = "above" if ev["rest_vs_path"].value > 0 else "below"
        parts.append(f"the rest of the year needs {text('rest_vs_path')} {word} the plan's own path")
    if "change" in ev:
        word = "more" if ev["change"].value >= 0 else "less"
        parts.append(f"{text('change')} {word} than a year ago (like for like)")
    statement = "; ".join(parts) + "."
    if "p_attain" in ev:
        expected = f"{text('expected_fulfilment')} of the annual target expected, " if "expected_fulfilment" in ev \
            else ""
        statement += f" Outlook: {expected}probability of meeting it {text('p_attain')}."
    elif j.basis == "year":
        statement += " The year is over."
    owner = words.unit(j.owner)
    if "owner_fulfilment" in ev:
        owner += f" (largest shortfall: {text('owner_fulfilment')} of its plan to date)"
    elif j.owner == words.root:
        owner = f"{words.sector_of.get(j.subject, j.subject)}, nationally"
    decision = _decision(j, words.unit(j.owner), name)
    return Line(j.rating, statement, owner, decision, j)


def _decision(j: Judgement, owner: str, name: str) -> str:
    return {
        "recover_or_revise": f"Either a recovery programme for {name.lower()} from {owner} by the next review, "
                             "or a revised annual target.",
        "recover": f"A recovery programme for {name.lower()} from {owner} by the next review.",
        "monitor": f"{owner} to report monthly on the catch-up until the next review.",
        "account": f"Hear {owner}'s account of the shortfall; carry it into next year's plan.",
        "order_reports": f"{owner} and the other units listed in the annex to submit the missing reports "
                         "before the figures are used to adjust the plan.",
    }[j.decision]


def _merged_line(j: Judgement, words: _Words, facts: pd.DataFrame, window: str) -> Line:
    items = ", ".join(f"{words.indicator(e.indicator).lower()} ({evidence_text(e, _digits(facts, e))})"
                      for e in j.evidence)
    statement = f"Also in doubt, fulfilment of the plan to date: {items}."
    owner = words.unit(j.owner) if j.owner != words.root else "the sectors' units, nationally"
    decision = "The owners named in the annexes to report monthly on the catch-up until the next review."
    return Line(j.rating, statement, owner, decision, j)


def _reports_line(j: Judgement, words: _Words, window: str) -> Line:
    items = ", ".join(f"{words.indicator(e.indicator).lower()} {evidence_text(e)}" for e in j.evidence)
    if j.members and len(j.members) == len(j.evidence):
        statement = (f"Reports: no complete reports yet for {window}; the key indicators cannot be judged "
                     f"(units missing a month: {items}).")
    else:
        statement = (f"Reports: units with a target that missed a month: {items}. Fulfilment counts only the "
                     "units that reported every month; the others' output is never taken as zero.")
        if j.members:
            names = ", ".join(words.indicator(m).lower() for m in j.members)
            statement += f" No complete reports at all for {names}."
    decision = _decision(j, words.unit(j.owner), "")
    owner = words.unit(j.owner) + (" (most units missing)" if j.owner != words.root else "")
    return Line(j.rating, statement, owner, decision, j)


def page_one(ctx: ReviewContext) -> PageOne:
    """The stocktake of ``ctx.period`` from the fact table and (when registered) the outlook."""
    facts = ctx.facts()
    words = _Words(ctx)
    key = ctx.service.indicators().loc[lambda d: d["key"].astype(bool), "code"].tolist()
    window = window_name(facts["window"].iloc[0]) if len(facts) else str(ctx.period)
    page = PageOne(window)
    if facts.empty:
        page.headline.append(f"No targets or reports for {window}: nothing to judge.")
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
        page.headline.append(f"On course to meet their annual targets (green, nothing asked of the plenum): {names}.")
    plans = plans_line(ctx)
    if plans:
        page.headline.insert(0, plans)
    index = _national_index(facts, words.root, key)
    if index:
        page.index = index
        page.headline.insert(0, f"National index of the key indicators ({index['method']}): "
                                f"{pct(index['fulfilment'])} of the plan for {window}.")
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


def page_one_html(page: PageOne | None) -> str:
    """Page one as HTML: the headline and a table of judgements (rating, judgement, owner, decision)."""
    if page is None:
        return ""
    out = "".join(f"<p class=\"headline\">{html.escape(line)}</p>" for line in page.headline)
    if not page.lines:
        return out + "<p>No key indicator is in doubt.</p>"
    rows = []
    for i, line in enumerate(page.lines, 1):
        colour = RATING_COLOURS[line.rating]
        badge = f'<span class="rag" style="background:{colour}">{line.rating.upper()}</span>'
        rows.append(f'<tr data-rating="{line.rating}"><td class="num">{i}</td><td class="rating">{badge}</td>'
                    f"<td>{html.escape(line.statement)}</td><td>{html.escape(line.owner)}</td>"
                    f"<td>{html.escape(line.decision)}</td></tr>")
    head = ("<thead><tr><th class=\"num\">#</th><th>Likelihood</th><th>Judgement</th><th>Owner</th>"
            "<th>Decision asked of the plenum</th></tr></thead>")
    return out + f'<table class="table stocktake">{head}<tbody>{"".join(rows)}</tbody></table>'
