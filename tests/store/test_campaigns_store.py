"""Campaigns and their members in the store, on both backends."""

import pandas as pd
import pytest

from gosplan.errors import ValidationError

CAMPAIGNS = pd.DataFrame({"name": ["coal-2023"], "origin_unit": ["E2"], "start": ["2023-01"],
                          "indicator": ["coal"], "description": ["started at the coal mine"]})
MEMBERS = pd.DataFrame({"campaign": ["coal-2023", "coal-2023"], "unit": ["E2", "E1"],
                        "joined": ["2023-01", "2023-03"]})


def test_campaigns_and_members_round_trip_and_upsert(store):
    assert store.write_campaigns(CAMPAIGNS).new == 1
    assert store.write_campaigns(CAMPAIGNS).unchanged == 1
    assert store.write_campaigns(CAMPAIGNS.assign(description="moved")).updated == 1
    assert store.campaigns().to_dict("records") == [{**CAMPAIGNS.iloc[0].to_dict(), "description": "moved"}]
    assert store.write_campaign_members(MEMBERS).new == 2
    assert store.write_campaign_members(MEMBERS.iloc[[1]].assign(joined="2023-02")).updated == 1
    members = store.campaign_members("coal-2023")
    assert members[["unit", "joined"]].values.tolist() == [["E2", "2023-01"], ["E1", "2023-02"]]
    assert store.campaign_members("other").empty


def test_members_of_an_unknown_campaign_are_refused_and_nothing_written(store):
    store.write_campaigns(CAMPAIGNS)
    with pytest.raises(ValidationError, match="unknown campaign"):
        store.write_campaign_members(MEMBERS.assign(campaign=["coal-2023", "nope"]))
    assert store.campaign_members().empty
    with pytest.raises(ValidationError, match="not a month"):
        store.write_campaign_members(MEMBERS.assign(joined=["2023-13", "2023-01"]))
