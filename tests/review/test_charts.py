"""Charts of the review and the web: months in calendar order, readable units, labels inside the chart,
and chart images in the Markdown (or no heading left standing over nothing)."""

from __future__ import annotations

import json
import re
from itertools import pairwise

import pandas as pd
import pytest

from gosplan.model import Period
from gosplan.review.export import figures_in, html_to_markdown, render_markdown
from gosplan.review.format import axis_scale
from gosplan.review.sections.balance import label_positions
from gosplan.review.sections.forecasts import MONTHS, fan_chart


def _national() -> pd.DataFrame:
    return pd.DataFrame({"indicator": ["coal"], "uom": ["t"], "target": [16.4e6], "actual_to_date": [8.7e6],
                         "expected_total": [17.2e6], "lower_80": [16.8e6], "upper_80": [17.6e6],
                         "lower_95": [16.5e6], "upper_95": [17.9e6]})


def _cumulative() -> pd.DataFrame:
    month = list(range(1, 13))
    return pd.DataFrame({"indicator": "coal", "month": month, "cum_actual": [1.45e6 * m for m in month],
                         "previous": [1.4e6] * 12})


def test_fan_chart_months_run_january_to_december():
    fig = fan_chart(_national(), _cumulative(), Period.parse("2023-06"), pd.Series({"coal": "Coal"}))
    axis = fig.layout.xaxis
    assert axis.categoryorder == "array" and list(axis.categoryarray) == MONTHS
    # The fan is drawn first: without the explicit order "Jun" would come before "Jan".
    assert fig.data[0].x[0] == "Jun"
    assert all(trace.mode == "lines" for trace in fig.data)
    assert fig.layout.yaxis.title.text == "Mt"


def test_axis_scale_reads_in_units_not_si_suffixes():
    assert axis_scale(4.2e9, "t_km") == (1e-09, "billion t-km")
    assert axis_scale(3.5e6, "t") == (1e-06, "Mt")
    assert axis_scale(float("nan"), "t") == (1.0, "t")


def test_labels_point_inwards_at_the_edges_and_away_from_close_neighbours():
    x = pd.Series([0.8, 0.83, 1.0, 1.2])
    y = pd.Series([1.02, 1.0, 0.6, 1.25])
    where = label_positions(x, y)
    assert where[0].endswith("right") and where[3].endswith("left")
    assert where[1].startswith("bottom")  # the point at 0.8, 1.02 sits just above it


def test_markdown_embeds_charts_or_drops_their_heading():
    fragment = ('<h3>Chart</h3><div><div id="a" class="plotly-graph-div"></div><script>'
                'Plotly.newPlot("a", [{"x": [1, 2], "type": "scatter"}], {"height": 300}, {})</script></div>'
                "<h3>Table</h3><p>text</p>")
    assert figures_in(fragment) == [{"data": [{"x": [1, 2], "type": "scatter"}], "layout": {"height": 300}}]
    with_image = html_to_markdown(fragment, ["![chart](x/annex-A-1.png)"])
    assert "#### Chart\n" in with_image and "![chart](x/annex-A-1.png)" in with_image
    without = html_to_markdown(fragment)
    assert "Chart" not in without and "#### Table" in without


@pytest.fixture(scope="module")
def demo_review(sqlite_demo):
    from gosplan.review import build_review
    from gosplan.service import Service

    return build_review(Service.open(f"sqlite:///{sqlite_demo}"), "2023-H1")


def test_no_heading_without_content_in_the_demo_markdown(demo_review):
    markdown = render_markdown(demo_review)
    lines = [line for line in markdown.splitlines() if line.strip()]
    for here, after in pairwise(lines):
        if here.startswith("#"):
            assert not (after.startswith("#") and after.count("#") <= here.count("#")), (here, after)


def test_web_indicator_chart_in_readable_units(sqlite_demo, tmp_path):
    from fastapi.testclient import TestClient

    from gosplan.api import create_app
    from webenv import copy_sqlite, login

    app = create_app(copy_sqlite(sqlite_demo, tmp_path / "demo.db"), refresh_interval=0.5)
    client = TestClient(app)
    login(client, "viewer")
    page = client.get("/indicators/rail_freight?unit=KP").text
    chart = json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', page,
                                 re.S).group(1))
    assert chart["layout"]["yaxis"]["title"]["text"] == "cumulative, billion t-km"
    actual = [v for v in chart["traces"][2]["y"] if v is not None]
    assert 1 < max(actual) < 20  # billions of t-km, not 4.0e9 shown as "4B"
