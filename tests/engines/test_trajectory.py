"""The trajectory rule (engines/trajectory.py), checked against hand-computed numbers."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.engines.hierarchy import Hierarchy
from gosplan.engines.trajectory import disaggregate, monthly_trajectories, seasonal_profiles

NAN = np.nan
FLAT = np.full((1, 12), 1 / 12)


def one(annual=NAN, halves=(NAN, NAN), quarters=(NAN,) * 4, months=(NAN,) * 12, profile=FLAT):
    return disaggregate(np.array([annual]), np.array([halves], float), np.array([quarters], float),
                        np.array([months], float), np.asarray(profile, float).reshape(1, 12))[0]


def test_annual_only_spreads_by_profile():
    profile = np.array([1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2], float)
    profile /= profile.sum()
    m = one(annual=180.0, profile=profile)
    # by hand: weights 1/18 and 2/18 of 180 -> 10 and 20
    assert m.tolist() == pytest.approx([10] * 6 + [20] * 6)


def test_given_quarter_kept_and_rest_of_year_spread_over_remaining_months():
    m = one(annual=120.0, quarters=(20.0, NAN, NAN, NAN))
    assert m[:3].sum() == pytest.approx(20.0)
    # (120 - 20) over the other nine months, flat: 11.11 each
    assert m[3:] == pytest.approx(np.full(9, 100 / 9))


def test_four_quarters_without_year_define_the_year():
    m = one(quarters=(10.0, 20.0, 30.0, 40.0))
    assert m.sum() == pytest.approx(100.0)
    assert m[9:].sum() == pytest.approx(40.0)


def test_months_not_covered_stay_unknown():
    m = one(halves=(60.0, NAN))
    assert np.isfinite(m[:6]).all() and m[:6].sum() == pytest.approx(60.0)
    assert np.isnan(m[6:]).all()


def test_given_month_wins_inside_its_quarter():
    m = one(quarters=(30.0, NAN, NAN, NAN), months=(12.0,) + (NAN,) * 11)
    assert m[0] == 12.0 and m[1] == pytest.approx(9.0) and m[2] == pytest.approx(9.0)


@settings(max_examples=60, deadline=None)
@given(annual=st.floats(1, 1e9), weights=st.lists(st.floats(0.01, 10), min_size=12, max_size=12),
       q1=st.floats(0, 1))
def test_totals_are_preserved(annual, weights, q1):
    w = np.array(weights) / np.sum(weights)
    m = one(annual=annual, quarters=(q1 * annual, NAN, NAN, NAN), profile=w)
    assert m.sum() == pytest.approx(annual, rel=1e-9)
    assert m[:3].sum() == pytest.approx(q1 * annual, rel=1e-9, abs=1e-6)


def _units():
    return pd.DataFrame({"code": ["KP", "P1", "F1", "F2", "F3"], "parent": [None, "KP", "P1", "P1", "P1"]})


def _month_sums(unit, shares, indicator="grain"):
    return pd.DataFrame({"indicator": indicator, "unit": unit, "month": range(1, 13), "total": shares})


def test_profile_own_else_parent_else_flat():
    autumn = [0, 0, 0, 0, 0, 5, 5, 0, 30, 40, 20, 0]
    spring = [10] * 12
    sums = pd.concat([_month_sums("F1", autumn), _month_sums("F2", spring)], ignore_index=True)
    series = pd.DataFrame({"indicator": ["grain", "grain", "grain", "coal"], "unit": ["F1", "F2", "F3", "F3"]})
    prof = seasonal_profiles(sums, series, Hierarchy(_units())).set_index(["indicator", "unit"])
    assert prof.loc[("grain", "F1"), "profile_source"] == "own"
    assert prof.loc[("grain", "F1"), "m10"] == pytest.approx(0.4)
    # F3 has no history: its parent's subtree (F1 + F2): October = (40 + 10) / (100 + 120)
    assert prof.loc[("grain", "F3"), "profile_source"] == "parent:P1"
    assert prof.loc[("grain", "F3"), "m10"] == pytest.approx(50 / 220)
    assert prof.loc[("coal", "F3"), "profile_source"] == "flat"
    assert prof.loc[("coal", "F3"), "m1"] == pytest.approx(1 / 12)


def test_profile_needs_every_calendar_month():
    sums = _month_sums("F1", [1.0] * 12).iloc[:11]  # December never reported
    series = pd.DataFrame({"indicator": ["grain"], "unit": ["F1"]})
    prof = seasonal_profiles(sums, series, Hierarchy(_units()))
    # neither F1 nor its parents' subtrees cover December: flat
    assert prof["profile_source"].iloc[0] == "flat"
    with_f2 = pd.concat([sums, _month_sums("F2", [2.0] * 12)], ignore_index=True)
    prof = seasonal_profiles(with_f2, series, Hierarchy(_units()))
    assert prof["profile_source"].iloc[0] == "parent:P1"
    assert prof["m12"].iloc[0] == pytest.approx(2.0 / (11 + 24))


def test_level_indicators_carry_the_target_in_every_month():
    targets = pd.DataFrame({"indicator": "workers", "unit": "E1", "period": ["2023", "2023-Q3"],
                            "value": [500.0, 550.0]})
    traj = monthly_trajectories(targets, 2023, pd.Series({"workers": "mean"}))
    row = traj.iloc[0]
    assert [row[f"m{m}"] for m in (1, 6, 7, 9, 10)] == [500, 500, 550, 550, 500]
