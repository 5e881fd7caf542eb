"""attainment(): the distribution of the annual total and P(total >= target)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.engines.forecast.annual import _Task, annual_totals
from gosplan.engines.forecast.synthetic import PROFILES, seasonal_series
from gosplan.errors import ValidationError
from gosplan.forecast import ATTAINMENT_COLUMNS, attainment
from gosplan.model import month_label
from gosplan.runner import Runner

JAN_2020 = 2020 * 12


def frame(values: np.ndarray, first: int = JAN_2020, names: list[str] | None = None) -> pd.DataFrame:
    n, t = values.shape
    names = names or [f"steel|u{i}" for i in range(n)]
    return pd.DataFrame({"series_id": np.repeat(names, t),
                         "period": [month_label(first + j) for j in range(t)] * n,
                         "value": values.ravel()})


def test_grain_half_year_at_zero_is_on_course():
    # The example: grain is harvested in autumn, so nothing reported by June is normal.
    # Three years of a steady harvest of 100 (with noise): a target of 95 is likely met although
    # the year to date is 0, which a pro-rata forecast (0 x 12 / 6 = 0) would call hopeless.
    rng = np.random.default_rng(0)
    profile = PROFILES["grain"] / PROFILES["grain"].sum() * 100
    values = np.tile(profile, 4)[None, :42] * rng.normal(1, 0.03, (1, 42))
    targets = pd.DataFrame({"series_id": ["steel|u0"] * 3, "year": 2023, "target": [90.0, 100.0, 130.0]})
    out = attainment(frame(values), targets, as_of="2023-06")
    assert list(out.columns) == ATTAINMENT_COLUMNS
    assert (out["actual_to_date"] == 0).all()
    assert out["expected_total"].iloc[0] == pytest.approx(100, rel=0.08)
    p = out["p_attain"].to_numpy()
    assert p[0] > 0.8 and p[2] < 0.05 and p[0] > p[1] > p[2]
    assert (out["method"] == "ets-additive").all()          # zeros rule out the log scale
    assert out["required_monthly_rate"].iloc[0] == pytest.approx(90 / 6)


def test_annual_total_adds_year_to_date_and_rest():
    values, _ = seasonal_series(20, months=42, seed=4)
    targets = pd.DataFrame({"series_id": [f"steel|u{i}" for i in range(20)], "year": 2023, "target": 1.0})
    out = attainment(frame(values), targets, as_of="2023-06")
    np.testing.assert_allclose(out["actual_to_date"], values[:, 36:42].sum(axis=1))
    ordered = out[["lower_95", "lower_80", "expected_total", "upper_80", "upper_95"]].to_numpy()
    assert (np.diff(ordered, axis=1) > 0).all()
    assert (out["lower_95"] > out["actual_to_date"]).all()
    assert (out["months_remaining"] == 6).all()


def test_complete_year_is_known_exactly():
    values, _ = seasonal_series(3, months=48, seed=2)
    actual = values[:, 36:48].sum(axis=1)
    targets = pd.DataFrame({"series_id": ["steel|u0", "steel|u1", "steel|u2"], "year": 2023,
                            "target": actual * np.array([0.9, 1.0, 1.1])})
    out = attainment(frame(values), targets, as_of="2023-12")
    np.testing.assert_allclose(out["expected_total"], actual)
    np.testing.assert_allclose(out["upper_95"], actual)
    assert out["p_attain"].tolist() == [1.0, 1.0, 0.0]
    assert (out["method"] == "actual").all()


def test_reports_after_as_of_are_ignored_and_unknown_series_have_no_data():
    values, _ = seasonal_series(2, months=48, seed=3)
    targets = pd.DataFrame({"series_id": ["steel|u1", "coal|nowhere", "steel|u0"], "year": 2023,
                            "target": [1.0, 1.0, 1.0]})
    full = attainment(frame(values), targets, as_of="2023-05")
    cut = attainment(frame(values[:, :41]), targets, as_of="2023-05")
    pd.testing.assert_frame_equal(full, cut)
    assert full["series_id"].tolist() == ["steel|u1", "coal|nowhere", "steel|u0"]   # caller's order
    assert full.loc[1, "method"] == "no data" and np.isnan(full.loc[1, "p_attain"])


def test_a_unit_that_stopped_reporting_gets_wider_intervals():
    values, _ = seasonal_series(1, months=42, seed=8)
    gone = values.copy()
    gone[0, -3:] = np.nan                             # April to June not reported
    targets = pd.DataFrame({"series_id": ["steel|u0"], "year": 2023, "target": [1.0]})
    full = attainment(frame(values), targets, as_of="2023-06").iloc[0]
    partial = attainment(frame(gone), targets, as_of="2023-06").iloc[0]
    assert partial.actual_to_date == pytest.approx(values[0, 36:39].sum())
    assert partial.upper_80 - partial.lower_80 > full.upper_80 - full.lower_80


def test_errors_name_the_problem():
    with pytest.raises(ValidationError, match="target"):
        attainment(frame(np.ones((1, 12))), pd.DataFrame({"series_id": ["a"], "year": [2020]}), "2020-06")
    bad = frame(np.ones((1, 3)))
    bad.loc[0, "period"] = "2020-13"
    with pytest.raises(ValidationError, match="2020-13"):
        attainment(bad, pd.DataFrame({"series_id": ["a"], "year": [2020], "target": [1.0]}), "2020-06")
    with pytest.raises(ValueError, match="method"):
        attainment(frame(np.ones((1, 3))), pd.DataFrame(columns=["series_id", "year", "target"]),
                   "2020-06", method="guess")


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), known=st.integers(0, 11), method=st.sampled_from(["auto", "additive"]))
def test_probability_falls_as_the_target_rises(seed, known, method):
    values, _ = seasonal_series(4, months=36 + known, seed=seed)
    as_of = month_label(JAN_2020 + 35 + known)
    levels = np.array([0.5, 0.9, 1.0, 1.1, 2.0])
    base = values[:, 24:36].sum(axis=1)
    targets = pd.DataFrame({"series_id": np.repeat([f"steel|u{i}" for i in range(4)], 5), "year": 2023,
                            "target": (base[:, None] * levels).ravel()})
    out = attainment(frame(values), targets, as_of=as_of, method=method)
    p = out["p_attain"].to_numpy().reshape(4, 5)
    assert ((p >= 0) & (p <= 1)).all()
    assert (np.diff(p, axis=1) <= 1e-12).all()
    # Meeting a target below what is already reported is certain.
    reported = values[:, 36:].sum(axis=1)
    low = attainment(frame(values), targets.assign(target=np.repeat(reported * 0.99, 5)), as_of=as_of)
    assert (low["p_attain"] == 1.0).all() or known == 0


def test_intervals_are_calibrated_on_seasonal_series():
    # 600 synthetic series, forecasts from June: realised coverage near the nominal 80 % and 95 %.
    values, _ = seasonal_series(600, months=48, seed=21)
    truth = values[:, 36:].sum(axis=1)
    result = annual_totals(_Task(values[:, :42], JAN_2020, JAN_2020 + 41, np.arange(600),
                                 np.full(600, 2023), truth, "auto"))
    cover80 = np.mean((truth >= result["lower_80"]) & (truth <= result["upper_80"]))
    cover95 = np.mean((truth >= result["lower_95"]) & (truth <= result["upper_95"]))
    assert 0.72 <= cover80 <= 0.9
    assert 0.88 <= cover95 <= 0.99
    # P(total >= truth) behaves like a uniform probability integral transform.
    pit = np.mean(result["p_attain"] > 0.5)
    assert 0.35 <= pit <= 0.65


def test_multiplicative_needs_positive_values():
    values = np.tile(PROFILES["grain"], 3)[None, :] * 10
    targets = pd.DataFrame({"series_id": ["steel|u0"], "year": 2022, "target": [1.0]})
    with pytest.raises(ValidationError, match="positive"):
        attainment(frame(values), targets, as_of="2022-06", method="multiplicative")


def test_chunks_give_the_same_answer_locally_and_on_dask():
    distributed = pytest.importorskip("distributed")
    values, _ = seasonal_series(30, months=42, seed=5)
    targets = pd.DataFrame({"series_id": [f"steel|u{i}" for i in range(30)], "year": 2023,
                            "target": values[:, 24:36].sum(axis=1)})
    whole = attainment(frame(values), targets, as_of="2023-06")
    chunked = attainment(frame(values), targets, as_of="2023-06", chunk_size=7)
    pd.testing.assert_frame_equal(whole, chunked)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0") as cluster:
        on_dask = attainment(frame(values), targets, as_of="2023-06", chunk_size=10,
                             runner=Runner(scheduler=cluster.scheduler_address))
    pd.testing.assert_frame_equal(whole, on_dask)


def test_edge_cases_constant_new_and_future():
    months = 36
    values = np.vstack([np.full(months, 5.0),                                   # never varies
                        np.r_[np.full(30, np.nan), np.arange(1.0, 7.0)],       # reports from 2022-07
                        np.full(months, np.nan)])                              # never reported
    targets = pd.DataFrame({"series_id": ["steel|u0", "steel|u1", "steel|u2", "steel|u0"],
                            "year": [2022, 2022, 2022, 2023], "target": [50.0, 10.0, 10.0, 61.0]})
    out = attainment(frame(values), targets, as_of="2022-06")
    assert out.loc[0, "expected_total"] == pytest.approx(60.0)
    assert out.loc[0, "p_attain"] == 1.0 and out.loc[3, "p_attain"] == 0.0
    assert out.loc[0, "required_monthly_rate"] == pytest.approx((50 - 30) / 6)
    assert out.loc[2, "method"] == "no data" and out.loc[2, "required_monthly_rate"] == pytest.approx(10 / 6)
    assert out.loc[3, "months_remaining"] == 12                     # next year's target, 18 months ahead
    late = attainment(frame(values), targets, as_of="2022-12")
    # A unit that began reporting in July: its first half is not imputed.
    assert late.loc[1, "expected_total"] == pytest.approx(21.0)
    assert late.loc[1, "required_monthly_rate"] != late.loc[1, "required_monthly_rate"]      # nan: year over
    empty = attainment(frame(values)[:0], targets, as_of="2022-06")
    assert (empty["method"] == "no data").all()


def test_the_last_of_duplicate_reports_counts():
    values, _ = seasonal_series(1, months=42, seed=2)
    history = frame(values)
    corrected = pd.concat([history, history.iloc[[40]].assign(value=0.0)], ignore_index=True)
    targets = pd.DataFrame({"series_id": ["steel|u0"], "year": [2023], "target": [1.0]})
    out = attainment(corrected, targets, as_of="2023-06")
    assert out.loc[0, "actual_to_date"] == pytest.approx(values[0, 36:42].sum() - values[0, 40])
