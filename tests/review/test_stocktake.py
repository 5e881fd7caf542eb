"""Page one of the review: the judgement rules on small frames, and on the demo every number printed
on page one read back from the fact table (Service.facts) or, labelled "Outlook", from the outlook."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from gosplan.engines.facts import weighted_index
from gosplan.engines.stocktake import MAX_JUDGEMENTS, RatingRules, judge, on_course, rate
from gosplan.review import build_review, render_html
from gosplan.review.export import render_markdown
from gosplan.review.sentences import numbers_in
from gosplan.review.stocktake import MONTH_NAMES, evidence_text
from gosplan.service import Service


def _facts(rows: list[dict]) -> pd.DataFrame:
    base = {"unit_kind": "country", "status": "lagging", "target_basis": 100.0, "actual_basis": 90.0,
            "annual_done": 0.4, "rest_vs_path": 0.0, "change": 0.0, "units_missing": 0, "expected": 1,
            "months_left": 6, "fulfilment": 0.9}
    return pd.DataFrame([{**base, **r} for r in rows])


def test_rating_rules_year_outlook_then_path():
    rules = RatingRules()
    row = pd.Series({"months_left": 0, "fulfilment": 0.96, "rest_vs_path": 0.5})
    assert rate(row, pd.Series({"p_attain": 0.99}), rules) == ("amber", "year")
    row = pd.Series({"months_left": 6, "fulfilment": 0.96, "rest_vs_path": 0.5})
    assert rate(row, pd.Series({"p_attain": 0.8}), rules) == ("green", "outlook")
    assert rate(row, pd.Series({"p_attain": 0.3}), rules) == ("amber", "outlook")
    assert rate(row, None, rules) == ("red", "path")
    assert rate(pd.Series({"months_left": 6, "fulfilment": 0.9, "rest_vs_path": -0.01}), None, rules)[0] == "green"
    assert rate(pd.Series({"months_left": 6, "fulfilment": 0.9, "rest_vs_path": 0.04}), None, rules)[0] == "amber"


def test_at_most_seven_judgements_red_first_rest_taken_together():
    codes = [f"i{n}" for n in range(10)]
    rows = [{"unit": "KP", "indicator": c, "rest_vs_path": 0.06 + 0.01 * n} for n, c in enumerate(codes)]
    rows += [{"unit": "P1", "unit_kind": "province", "indicator": c, "actual_basis": 80.0} for c in codes]
    rows[0]["units_missing"] = 1
    judgements = judge(_facts(rows), "KP", codes)
    assert len(judgements) == MAX_JUDGEMENTS
    assert [j.key for j in judgements][-2:] == ["indicators", "reports"]
    assert judgements[0].subject == "i9"  # the furthest off its path first
    assert set(judgements[-2].members) == {"i0", "i1", "i2", "i3", "i4"}
    assert all(j.owner == "P1" for j in judgements[:5])


def test_green_indicators_are_not_judged_but_counted_on_course():
    facts = _facts([{"unit": "KP", "indicator": "a", "rest_vs_path": -0.1, "status": "on track"},
                    {"unit": "KP", "indicator": "b", "rest_vs_path": 0.2}])
    assert [j.subject for j in judge(facts, "KP", ["a", "b"])] == ["b"]
    assert on_course(facts, "KP", ["a", "b"]) == ["a"]


def test_severe_red_asks_for_recovery_or_revision_amber_for_monitoring():
    facts = _facts([{"unit": "KP", "indicator": "a", "rest_vs_path": 0.2},
                    {"unit": "KP", "indicator": "b", "rest_vs_path": 0.07},
                    {"unit": "KP", "indicator": "c", "rest_vs_path": 0.03}])
    decisions = {j.subject: (j.rating, j.decision) for j in judge(facts, "KP", ["a", "b", "c"])}
    assert decisions == {"a": ("red", "recover_or_revise"), "b": ("red", "recover"), "c": ("amber", "monitor")}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('stocktake') / 'demo.db'}"
    service = Service.open(url)
    service.load_demo(2023)
    return service, build_review(service, "2023-H1")


def _strip_dates(text: str) -> str:
    """Leave out what is not a figure: month names with their year, the year itself."""
    text = re.sub(rf"(?:{'|'.join(MONTH_NAMES)})(?:–(?:{'|'.join(MONTH_NAMES)}))? \d{{4}}", "", text)
    return re.sub(r"\b(19|20)\d{2}\b", "", text)


def test_every_number_on_page_one_comes_from_the_fact_table_or_the_outlook(demo):
    from gosplan.service.forecasts import forecast

    service, review = demo
    facts = service.facts("2023-H1").set_index(["unit", "indicator"])
    outlook = forecast(service, "2023-06").set_index(["unit", "indicator"])
    page = review.stocktake
    assert 1 <= len(page.lines) <= MAX_JUDGEMENTS
    checked = 0
    for line in page.lines:
        printed = set()
        for e in line.judgement.evidence:
            frame = facts if e.source == "facts" else outlook
            assert e.source in ("facts", "outlook")
            assert np.isclose(float(frame.loc[(e.unit, e.indicator), e.column]), e.value), e
            digits = int(facts.loc[(e.unit, e.indicator), "fulfilment_digits"]) if e.column == "fulfilment" else 0
            printed.add(evidence_text(e, digits))
            checked += 1
        shown = {n.lstrip("+−-") for text in printed for n in numbers_in(text)}
        for text in (line.statement, line.owner):
            for number in numbers_in(_strip_dates(text)):
                assert number.lstrip("+−-").rstrip(",") in shown, (number, text, printed)
        # Figures from the outlook are labelled as such.
        if any(e.source == "outlook" for e in line.judgement.evidence):
            assert "Outlook:" in line.statement
    assert checked > 10
    index = weighted_index(service.facts("2023-H1").loc[lambda d: d["unit"].eq(service.root())
                                                         & d["indicator"].isin(_key(service))])
    headline = page.headline[0]
    assert f"{round(float(index['fulfilment'].iloc[0]) * 100):.0f} %" in headline


def _key(service) -> list[str]:
    return service.indicators().loc[lambda d: d["key"].astype(bool), "code"].tolist()


def test_grain_judgement_reads_as_the_fact_table_says(demo):
    service, review = demo
    grain = next(line for line in review.stocktake.lines if line.judgement.subject == "grain")
    statement = grain.statement.replace("\u00a0", " ")
    row = service.facts("2023-H1").set_index(["unit", "indicator"]).loc[(service.root(), "grain")]
    assert grain.rating == "red"
    assert f"{row['annual_done'] * 100:.1f} % of the year's plan done" in statement
    assert f"needs {abs(row['rest_vs_path']) * 100:.1f} % above the plan's own path" in statement
    assert grain.owner.startswith("South Hwanghae province")


def test_page_one_comes_first_in_html_and_markdown(demo):
    _, review = demo
    page = render_html(review, embed_plotly=False)
    assert page.index('id="stocktake"') < page.index("Annex A.")
    assert page.count('<tr data-rating="') == len(review.stocktake.lines)
    markdown = render_markdown(review)
    assert markdown.index("## Stocktake") < markdown.index("## Annex A.")
    first_page = markdown[:markdown.index("## Annex A.")]
    assert first_page.count("| **RED** |") + first_page.count("| **AMBER** |") == len(review.stocktake.lines)
