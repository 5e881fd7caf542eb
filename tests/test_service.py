"""The service layer on the demo economy, on SQLite and PostgreSQL.

The H1-2023 percentages are those the July 2023 plenum reported (KCNA and Yonhap reports, as
collected in docs/data/dprk-figures.md): electricity 101 %, coal 104 %, metallurgy 112 %,
chemicals 102 % of the half-year plan.
"""

import numpy as np
import pytest

from gosplan.errors import GosplanError, NotFound
from gosplan.service import Service

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request, new_store_url):
    service = Service.open(new_store_url(request.param))
    service.load_demo(2023)
    yield service
    service.store.close()


def test_plenum_h1_2023_percentages(demo):
    sectors = demo.status("2023-H1", by="sector").table.set_index("sector")
    reported = {"electricity": 101, "coal": 104, "metallurgy": 112, "chemicals": 102}
    got = {code: round(sectors.loc[code, "fulfilment"] * 100) for code in reported}
    assert got == reported
    for code in reported:
        assert sectors.loc[code, "method"] == "same-unit totals"


def test_leaders_and_laggards_inside_each_reported_sector(demo):
    table = demo.fulfilment("2023-H1")
    ind = demo.indicators().set_index("code")
    leaves = table[table["unit"].map(demo.hierarchy().is_leaf) & table["target_is_own"]]
    for sector in ("electricity", "coal", "metallurgy", "chemicals"):
        part = leaves[leaves["indicator"].map(ind["sector"]).eq(sector)]
        assert (part["fulfilment"] > 1.05).any() and (part["fulfilment"] < 0.95).any(), sector


def test_rollup_matches_a_hand_sum_over_enterprises(demo):
    table = demo.fulfilment("2023-06").set_index(["unit", "indicator"])
    root = demo.root()
    coal = demo.store.reports(indicators=["coal"], first="2023-01", last="2023-06")
    leaves = coal[coal["unit"].map(demo.hierarchy().is_leaf)]
    complete = leaves.groupby("unit")["value"].agg(["sum", "count"])
    assert (complete["count"] == 6).all()
    assert table.loc[(root, "coal"), "actual"] == pytest.approx(complete["sum"].sum(), rel=1e-12)


def test_grain_trajectory_comes_from_the_seasonal_profile(demo):
    row = demo.fulfilment("2023-H1").set_index(["unit", "indicator"]).loc[(demo.root(), "grain")]
    # Grain is harvested in autumn: the H1 target is a small share of the annual plan, not half.
    assert 0.01 < row["target"] / row["annual_target"] < 0.15
    assert 0.8 < row["fulfilment"] < 1.2


def test_missing_reports_are_listed_not_zero(demo):
    missing = demo.not_reported("2023-06")
    assert len(missing) >= 1 and (missing["months_missing"] >= 1).all()
    table = demo.fulfilment("2023-06").set_index(["unit", "indicator"])
    for unit, indicator in missing[["unit", "indicator"]].itertuples(index=False):
        assert np.isnan(table.loc[(unit, indicator), "actual"])
        assert table.loc[(unit, indicator), "status"] == "missing"


def test_corrections_are_new_revisions(demo):
    history = demo.store.report_history()
    revised = history[history["revision"] > 1]
    assert len(revised) >= 1
    one = revised.iloc[0]
    both = demo.store.report_history(indicator=one["indicator"], unit=one["unit"], period=one["period"])
    assert sorted(both["revision"]) == [1, 2] and both["current"].sum() == 1
    current = demo.store.reports(indicators=[one["indicator"]], units=[one["unit"]], first=one["period"],
                                 last=one["period"])
    assert current["value"].iloc[0] == pytest.approx(one["value"])


def test_status_views(demo):
    league = demo.status("2023-06", by="unit", indicator="coal")
    provinces = set(demo.units().query("kind == 'province'")["code"])
    assert set(league.table["unit"]) <= provinces and len(league.table) >= 3
    deep = demo.status("2023-06", by="unit", indicator="coal", depth=3).table
    assert (deep["unit_kind"] == "enterprise").any()
    by_ind = demo.status("2023-06").table
    assert set(by_ind["unit"]) == {demo.root()}
    with pytest.raises(NotFound):
        demo.status("2023-06", unit="NOPE")
    with pytest.raises(GosplanError):
        demo.status("2023-06", by="colour")


def test_cumulative_series(demo):
    data = demo.cumulative("2023-H1", indicators=["coal"])
    assert list(data["month"]) == list(range(1, 13))
    assert np.isnan(data["cum_actual"].iloc[6]) and data["cum_actual"].iloc[5] > 0
    assert data["cum_target"].iloc[11] == pytest.approx(
        demo.fulfilment("2023-H1").set_index(["unit", "indicator"]).loc[(demo.root(), "coal"), "annual_target"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_target_layout_read_as_ids_equals_the_one_from_the_target_frame(new_store_url, backend):
    # The five-year plan gets (different) 2023 targets for some series: the annual plan's must win
    # in both reads (the status reads ids; exports and charts read the frame).
    import pandas as pd

    from gosplan.engines.trajectory import target_arrays

    service = Service.open(new_store_url(backend))
    service.load_demo(2023)
    extra = service.year_targets(2023).head(40).assign(plan="fyp-2021-2025")
    extra = pd.concat([extra.assign(value=extra["value"] * 3),
                       extra.assign(plan="fyp-2021-2025", period="2023-Q3", value=1.0)]).drop_duplicates(
        ["indicator", "unit", "period"])
    service.store.write_targets(extra, source="test", recorded_by="test")
    service.invalidate()
    frame = service.year_targets(2023)
    assert set(frame["plan"]) == {"ap-2023", "fyp-2021-2025"}  # the five-year plan's Q3 fills a gap
    keys, arrays = service.year_target_layout(2023)
    expected_keys, expected = target_arrays(frame, 2023)

    def table(keys: pd.DataFrame, arrays: dict) -> pd.DataFrame:
        out = keys.assign(**{kind: [tuple(row) for row in values] for kind, values in arrays.items()})
        return out.sort_values(["indicator", "unit"]).reset_index(drop=True).astype(str)

    pd.testing.assert_frame_equal(table(keys, arrays), table(expected_keys, expected))
    service.store.close()
