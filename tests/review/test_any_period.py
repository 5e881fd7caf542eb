"""The review (page one and every annex, HTML and Markdown) for any month, quarter, half or year,
with partial or no data: the demo, the demo with one July report, and a store holding one July report."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from gosplan.review import build_review, render_html
from gosplan.review.export import render_markdown
from gosplan.service import Service

PERIODS = ["2023-01", "2023-Q2", "2023-H1", "2023-H2", "2023", "2022"]


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    Service.open(f"sqlite:///{path}").load_demo(2023)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def july_url(demo_url, tmp_path_factory) -> str:
    """The demo with one July report of one coal mine (the web's Review page then asks for 2023-H2)."""
    folder = tmp_path_factory.mktemp("july")
    with sqlite3.connect(demo_url.removeprefix("sqlite:///")) as source, sqlite3.connect(folder / "demo.db") as copy:
        source.backup(copy)  # with the write-ahead log, which a file copy would leave behind
    url = f"sqlite:///{folder / 'demo.db'}"
    (folder / "july.csv").write_text("indicator,unit,period,value\ncoal,coal.kujang,2023-07,150000\n")
    Service.open(url).import_file(folder / "july.csv", today=date(2023, 8, 10))
    return url


def _check(review) -> str:
    page = render_html(review, embed_plotly=False)
    markdown = render_markdown(review)
    for text in (page, markdown):
        words = text.split("<script")[0].lower().replace("|", " ").split()
        assert "nan" not in words and "nan %" not in text, "nan printed"
    first = "\n".join(review.stocktake.text_lines())
    assert "e+0" not in first and "nan" not in first.lower().split()
    assert review.stocktake is not None
    assert len(review.stocktake.lines) <= 7
    return markdown


@pytest.mark.parametrize("period", PERIODS)
def test_demo_review_for_any_period(demo_url, period):
    review = build_review(Service.open(demo_url), period)
    markdown = _check(review)
    assert "Stocktake" in markdown
    assert review.sections, "the annexes are there"


def test_h1_page_one_judges_every_doubtful_key_indicator(demo_url):
    page = build_review(Service.open(demo_url), "2023-H1").stocktake
    ratings = [line.rating for line in page.lines]
    assert ratings == sorted(ratings, key=["red", "amber", "green"].index)
    assert any(line.judgement.subject == "grain" and line.rating == "red" for line in page.lines)
    assert all(line.owner and line.decision for line in page.lines)


def test_h2_without_july_reports_says_nothing_can_be_judged(demo_url):
    page = build_review(Service.open(demo_url), "2023-H2").stocktake
    assert [line.judgement.key for line in page.lines] == ["reports"]
    assert "cannot be judged" in page.lines[0].statement


def test_review_after_one_july_report(july_url):
    service = Service.open(july_url)
    for period in ("2023-07", "2023-Q3", "2023-H2"):
        _check(build_review(service, period))


def test_web_review_page_after_one_july_report(july_url):
    from gosplan.web.render import review_html

    html = review_html(Service.open(july_url), embed_plotly=False)
    assert "Review of plan fulfilment, second half of 2023" in html


def test_store_with_a_single_july_report(tmp_path):
    files = {
        "units.csv": "code,name,kind,parent,sector\nKP,Country,country,,\nP1,Province,province,KP,\n"
                     "M1,Mine,enterprise,P1,\n",
        "indicators.csv": "code,name,unit,aggregation,time_aggregation,direction,sector,key,role\n"
                          "coal,Coal,t,sum,sum,higher,,true,output\n",
        "plans.csv": "code,name,kind,start_year,end_year,parent\nAP2023,Annual plan 2023,annual,2023,2023,\n",
        "targets.csv": "plan,indicator,unit,period,value,uom\nAP2023,coal,M1,2023,1200,kt\n",
        "reports.csv": "indicator,unit,period,value\ncoal,M1,2023-07,100000\n",
    }
    service = Service.open(f"sqlite:///{tmp_path / 'one.db'}")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
        service.import_file(tmp_path / name, today=date(2023, 8, 10))
    for period in ("2023-07", "2023-Q3", "2023-H2", "2023", "2023-01", "2022"):
        _check(build_review(service, period))


def test_cli_review_of_the_second_half_prints_page_one(demo_url, tmp_path):
    from clienv import run_cli

    out = tmp_path / "h2.md"
    result = run_cli(demo_url, "review", "--period", "2023-H2", "--format", "md", "--out", str(out), width=80)
    assert "Review of plan fulfilment, second half of 2023" in result.output
    assert "RED" in result.output and "cannot be judged" in result.output
    assert out.read_text().startswith("# Review of plan fulfilment, second half of 2023")
