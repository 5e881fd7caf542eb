"""The ``forecast`` proposer: targets at risk -> "raise the monthly rate" actions (pure, property-tested)."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.engines.actions import Findings, propose
from gosplan.engines.proposers.forecast import PER_INDICATOR
from gosplan.quantities import format_quantity

FIELDS = {
    "indicator": st.sampled_from(["coal", "grain", "cement"]),
    "unit": st.sampled_from(["a", "b", "c", "d"]),
    "target": st.floats(1e3, 1e7),
    "shortfall": st.floats(-1e3, 1e6),
    "p_attain": st.floats(0, 0.49),
    "required_monthly_rate": st.floats(1, 1e6),
    "rate_to_date": st.floats(1, 1e6),
}
ROW = st.fixed_dictionaries(FIELDS)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(ROW, max_size=20), month=st.integers(1, 12))
def test_largest_shortfalls_of_each_indicator_become_actions(rows, month):
    table = pd.DataFrame(rows, columns=list(FIELDS)).drop_duplicates(["indicator", "unit"])
    table = table.assign(indicator_name=table["indicator"].str.title(), unit_name=table["unit"].str.upper(),
                         uom="t", year=2023, expected_total=table["target"] - table["shortfall"])
    actions = propose(Findings(f"2023-{month:02d}", {"targets_at_risk": table}), only=["forecast"])
    if month == 12:  # the year is over: nothing left to raise
        assert actions.empty
        return
    short = table[table["shortfall"] > 0]
    for indicator, group in short.groupby("indicator"):
        chosen = actions[actions["indicator"].eq(indicator)]
        assert len(chosen) == min(PER_INDICATOR, len(group))
        expected = group.nlargest(PER_INDICATOR, "shortfall", keep="first")
        assert [d["shortfall"] for d in chosen["details"]] == expected["shortfall"].tolist()
        for row, (_, source) in zip(chosen.itertuples(), expected.iterrows(), strict=True):
            rate = format_quantity(source["required_monthly_rate"], "t")
            assert row.title.startswith(f"Raise the monthly rate of {indicator.title()} at {source['unit_name']} "
                                        f"to {rate} from ")
            assert row.owner_unit == source["unit"] and str(row.due) == "2023-12-31" and row.period == "2023"
    assert set(actions["indicator"]) <= set(short["indicator"])
