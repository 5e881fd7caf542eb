"""The demo's definite action plan: proposed from the first half, adopted by a named body, taken stock of
with the July-September reports (``gosplan demo --through 2023-09``) in the CLI, the web and the review.

The first half's figures do not move when the later months are loaded: the test compares the fact
table for 2023-06 before and after.
"""

from __future__ import annotations

import pandas as pd
import pytest

from clienv import run_cli
from gosplan.service import Service
from gosplan.service.action_plan import adopt_plan, extend_demo_reports, propose_plan, stocktake
from webenv import copy_sqlite, login

BODY = "Plenary meeting of the Central Committee"


@pytest.fixture(scope="module")
def demo(sqlite_demo, tmp_path_factory):
    url = copy_sqlite(sqlite_demo, tmp_path_factory.mktemp("actions") / "demo.db")
    service = Service.open(url)
    before = service.fulfilment("2023-06")
    extend_demo_reports(service, "2023-09")
    version = propose_plan(service, "2023-H1", proposed_by="planner")
    adopt_plan(service, "2023-H1", version, body=BODY, on="2023-07-20", recorded_by="admin")
    return url, service, before


@pytest.fixture(scope="module")
def document(demo):
    return demo[1].store.action_plan_version("2023-H1", 1)["document"]


def test_the_first_half_is_unchanged_by_the_later_months(demo):
    url, _, before = demo
    after = Service.open(url).fulfilment("2023-06")
    pd.testing.assert_frame_equal(before, after)


def test_at_most_one_action_per_unit_indicator_and_measure_type(document):
    actions = pd.DataFrame(document["actions"])
    assert len(actions) > 20
    assert not actions.duplicated(["unit", "indicator", "measure"]).any()


def test_no_action_whose_check_is_met_when_proposed(document):
    findings = pd.DataFrame(document["findings"]).set_index("finding")
    for action in document["actions"]:
        if action["measure"] != "irrigate":
            # The unit's own pace leaves a gap the action closes part of: nothing is met at proposal.
            assert findings.loc[action["finding"], "need"] > 0
    milestones = pd.DataFrame(document["milestones"])
    assert (milestones["planned"] > 0).all()


def test_no_monthly_quota_in_a_month_the_season_asks_nothing(demo, document):
    service = demo[1]
    milestones = pd.DataFrame(document["milestones"])
    for row in milestones.itertuples():
        month, previous = row.month, f"2023-{int(row.month[5:]) - 1:02d}"
        facts = service.fulfilment(month).set_index(["unit", "indicator"])["target"]
        before = service.fulfilment(previous).set_index(["unit", "indicator"])["target"]
        extra = sum(a["resource"].get("schedule", {}).get(month, 0) for a in document["actions"]
                    if a["finding"] == row.key)
        assert facts[(row.unit, row.indicator)] - before[(row.unit, row.indicator)] + extra > 0


def test_every_action_has_a_milestone_before_its_due_date_and_an_owner_chain(document):
    for action in document["actions"]:
        assert action["milestones"][0] < action["due"], action["key"]
        assert action["co_owners"], action["key"]
    sunchon = next(a for a in document["actions"] if a["key"] == "elec.sunchon:electricity:supplier_delivery")
    assert "coal.sunchon" in sunchon["co_owners"] and "electric_power" in sunchon["co_owners"]
    assert "KP-02" in sunchon["co_owners"]  # South Pyongan's committee
    coal = [a for a in document["actions"] if a["unit"] == "coal.sunchon"]
    assert coal and all("elec.sunchon" in a["co_owners"] for a in coal)  # its lagging supplier's actions too


def test_the_stocktake_rates_every_milestone_from_july_to_september(demo, document):
    frame = stocktake(demo[1], "2023-H1", "2023-09")
    assert set(frame["month"]) == {"2023-07", "2023-08", "2023-09"}
    assert set(frame["rating"]) <= {"green", "amber", "red"}
    assert {"green", "red"} <= set(frame["rating"])
    slipped = frame.groupby("key")["slips"].max()
    escalated = frame.groupby("key")["escalated_to"].last()
    assert (escalated.notna() == (slipped >= 2)).all()


def test_cli_shows_the_adopted_plan_and_its_stocktake_in_80_columns(demo):
    url = demo[0]
    shown = run_cli(url, "actions", "plan", "show", "--period", "2023-H1", "--unit", "elec.sunchon", width=80).output
    assert f"adopted by {BODY} on 2023-07-20" in " ".join(shown.split())
    taken = run_cli(url, "actions", "stocktake", "--period", "2023-H1", "--through", "2023-09", width=80).output
    assert "escalated." in taken and "Sunchon" in taken
    for text in (shown, taken):
        assert max(len(line) for line in text.splitlines()) <= 80
        assert "e+0" not in text and "nan" not in text


def test_web_pages_show_the_plan_and_a_units_stocktake(demo):
    from fastapi.testclient import TestClient

    from gosplan.api import create_app

    with TestClient(create_app(demo[0], refresh_interval=0.1)) as client:
        login(client, "admin")
        page = client.get("/actions?period=2023-H1")
        assert page.status_code == 200 and BODY in page.text and "For the plenum to decide" in page.text
        frame = stocktake(demo[1], "2023-H1", "2023-09")
        red = frame.loc[frame["rating"].eq("red"), "owner"].iloc[0]  # a unit whose action slipped
        unit = client.get(f"/actions/units/{red}?period=2023-H1")
        assert unit.status_code == 200
        assert "Stocktake to 2023-09" in unit.text and 'class="badge bad"' in unit.text


def test_review_of_the_third_quarter_takes_stock(demo):
    from gosplan.review import build_review

    section = build_review(demo[1], "2023-Q3", only=["actions"]).section("actions")
    line = next(s for s in section.summary if s.startswith("Stocktake of the action plan 2023-H1"))
    assert f"(adopted by {BODY} on 2023-07-20) to 2023-09" in line
    assert "Stocktake of the action plan 2023-H1 to 2023-09" in section.body_html


def test_review_of_the_half_year_shows_the_adopted_plan(demo):
    from gosplan.review import build_review

    section = build_review(demo[1], "2023-H1", only=["actions"]).section("actions")
    line = next(s for s in section.summary if s.startswith("Definite action plan 2023-H1, version 1"))
    assert f"(adopted by {BODY} on 2023-07-20)" in line
    assert "For the plenum to decide" in section.body_html and "Milestones, output since July" in section.body_html


def test_the_review_body_holds_each_definite_action_once_and_no_raw_proposal(demo, document):
    import html

    from gosplan.review import build_review
    from gosplan.review.export import html_to_markdown
    from gosplan.service.action_words import Names, action_sentence, decision_sentence

    review = build_review(demo[1], "2023-H1", only=["actions", "action_proposals"])
    body = review.section("actions").body_html
    names = Names.of(demo[1])
    for action in document["actions"]:
        assert body.count(html.escape(action_sentence(action, names))) == 1, action["key"]
    for number, decision in enumerate(document["decisions"], start=1):
        assert f">D{number}<" in body and body.count(html.escape(decision_sentence(decision, names))) == 1
    proposals = review.section("action_proposals").tables["proposals"]
    assert len(proposals) > 10
    for title in proposals["title"]:
        assert html.escape(title) not in body  # the raw proposals are in their annex, not in the plan
    # Grouped by owner: each owner named once in the owner column, over all its actions.
    table = html_to_markdown(body).split("| Owner | # | Action | With | Done when | Milestones |")[1]
    rows = [line.strip("|").split(" | ") for line in table.splitlines() if line.startswith("| ")]
    owners = [row[0].strip() for row in rows if row[0].strip()]
    assert len(rows) == len(document["actions"])
    assert len(owners) == len(set(owners)) == len({a["owner"] for a in document["actions"]})


def test_the_annex_names_the_definite_action_that_covers_each_proposal_or_why_none(demo, document):
    from gosplan.review import build_review

    review = build_review(demo[1], "2023-H1", only=["action_proposals"])
    annex = review.section("action_proposals")
    proposals = annex.tables["proposals"]
    actions = {a["number"]: a for a in document["actions"]}
    assert proposals["reason"].isin(["covered", "plenum", "pace_met", "no_finding"]).all()
    assert proposals["reason"].eq("covered").any() and proposals["reason"].eq("plenum").any()
    for row in proposals.itertuples():
        for number in row.actions:  # a covering action acts on the proposal's own unit
            assert actions[number]["unit"] == row.unit, (row.id, number)
        assert (row.reason == "covered") == bool(row.actions)
    counts = proposals["reason"].value_counts()
    assert annex.summary[0].startswith(f"The engines proposed {len(proposals)} actions. Covered by the actions "
                                       "of version 1")
    assert f"of the definite plan: {counts['covered']}; to the plenum as decisions: {counts['plenum']};" \
        in annex.summary[0]


def test_every_heading_header_and_sentence_of_the_plan_goes_through_the_catalogue(demo):
    """In the pseudo-language every text that passed through the catalogue is marked ⟦...⟧."""
    import re

    from gosplan.i18n import use_language
    from gosplan.review import build_review

    with use_language("qps"):
        review = build_review(demo[1], "2023-H1", only=["actions", "action_proposals"])
    assert [s.key for s in review.sections] == ["actions", "action_proposals"]
    for section in review.sections:
        checked = 0
        assert section.title.startswith("⟦") and section.lead_text.startswith("⟦")
        assert section.summary and all(line.startswith("⟦") for line in section.summary), section.summary
        headers = [h for h in re.findall(r"<th[^>]*>([^<]*)</th>", section.body_html) if h and h != "#"]
        assert headers and all(h.startswith("⟦") for h in headers), headers
        # The sentences (actions, decisions, when done, the proposals) are made from the catalogue too.
        for table in re.findall(r"<table.*?</table>", section.body_html):
            heads = [h.strip("⟦⟧") for h in re.findall(r"<th[^>]*>([^<]*)</th>", table)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table)[1:]:
                cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
                for head, cell in zip(heads, cells, strict=True):
                    if head in ("Action", "Decision", "Done when", "Proposal") and cell:
                        assert "⟦" in cell, (head, cell)
                        checked += 1
        assert checked > 20
