"""Import of campaigns and their members: one validation path with reports and projects."""

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gosplan.errors import ValidationError
from gosplan.ingest import detect_kind, import_file, import_frame, write_template
from gosplan.store import Store

from .conftest import problems_of

TODAY = date(2023, 7, 10)


@pytest.fixture()
def store(demo_store):
    """These tests import into a store holding the demo's reference data."""
    return demo_store


def test_the_demo_campaign_imports_from_files_and_reimport_changes_nothing(store, demo, tmp_path):
    demo.campaigns.to_csv(tmp_path / "c.csv", index=False)
    demo.campaign_members.to_csv(tmp_path / "m.csv", index=False)
    assert detect_kind(list(demo.campaigns.columns)) == "campaigns"
    assert detect_kind(list(demo.campaign_members.columns)) == "campaign_members"
    assert import_file(store, tmp_path / "c.csv", today=TODAY).new == 1
    result = import_file(store, tmp_path / "m.csv", today=TODAY)
    assert (result.kind, result.new) == ("campaign_members", len(demo.campaign_members))
    assert import_file(store, tmp_path / "m.csv", today=TODAY).unchanged == len(demo.campaign_members)
    assert store.campaign_members()["unit"].tolist()[0] == "coal.kujang"


def test_every_problem_of_a_bad_campaigns_file_is_reported(store, write):
    path = write("c.csv", "name,origin_unit,start,indicator\n"
                          "a,coal.kujang,2023-01,coal\n"
                          "b,coal.nowhere,2023-1x,coal\n"
                          "c,coal.kujang,2024-01,steel_bars\n"
                          "a,coal.kujang,2023-02,coal\n")
    with pytest.raises(ValidationError) as excinfo:
        import_file(store, path, today=TODAY)
    problems = problems_of(excinfo)
    reasons = " | ".join(r for _, _, r in problems)
    assert (3, "origin_unit") in [(r, c) for r, c, _ in problems]
    assert "not a month" in reasons and "future month" in reasons
    assert "unknown indicator 'steel_bars'" in reasons and "duplicate" in reasons.lower()
    assert store.campaigns().empty


def test_every_problem_of_a_bad_members_file_is_reported(store, demo, write):
    store.write_campaigns(demo.campaigns)
    path = write("m.csv", "campaign,unit,joined\n"
                          "coal-innovation-2023,coal.kujang,2023-01\n"
                          "no-such-movement,coal.anju,2023-02\n"
                          "coal-innovation-2023,coal.atlantis,2023-02\n"
                          "coal-innovation-2023,coal.anju,2022-12\n"
                          "coal-innovation-2023,coal.tokchon,2023-09\n"
                          "coal-innovation-2023,coal.kujang,2023-03\n")
    with pytest.raises(ValidationError) as excinfo:
        import_file(store, path, today=TODAY)
    by_row = {}
    for row, column, reason in problems_of(excinfo):
        by_row.setdefault(row, []).append(f"{column}: {reason}")
    assert "unknown campaign" in " ".join(by_row[3])
    assert "unknown unit" in " ".join(by_row[4])
    assert "before the campaign started" in " ".join(by_row[5])
    assert "future month" in " ".join(by_row[6])
    assert any("duplicate" in text.lower() for text in by_row[7] + by_row.get(2, []))
    assert store.campaign_members().empty


def test_templates_import_in_a_new_users_order(tmp_path):
    """Without projects (whose template names a demo unit): reference templates, then campaigns."""
    store = Store.open(f"sqlite:///{tmp_path / 't.db'}")
    for kind in ("sectors", "units", "indicators", "campaigns", "campaign_members"):
        write_template(kind, tmp_path / f"{kind}.csv")
        assert import_file(store, tmp_path / f"{kind}.csv", today=TODAY).new == 1
    assert store.campaign_members()["joined"].tolist() == ["2023-02"]
    store.close()


@pytest.fixture(scope="module")
def movement_store(tmp_path_factory, demo):
    opened = Store.open(f"sqlite:///{tmp_path_factory.mktemp('prop') / 'p.db'}")
    opened.write_sectors(demo.sectors)
    opened.write_units(demo.units)
    opened.write_indicators(demo.indicators)
    opened.write_campaigns(demo.campaigns)  # starts 2023-01
    yield opened
    opened.close()


@settings(max_examples=40, deadline=None)
@given(year=st.integers(2021, 2024), month=st.integers(1, 12))
def test_property_a_join_is_accepted_exactly_between_the_start_and_today(movement_store, year, month):
    joined = f"{year}-{month:02d}"
    frame = pd.DataFrame({"campaign": ["coal-innovation-2023"], "unit": ["coal.anju"], "joined": [joined]})
    allowed = "2023-01" <= joined <= f"{TODAY:%Y-%m}"
    try:
        import_frame(movement_store, "campaign_members", frame, source="p.csv", recorded_by="t", today=TODAY)
        accepted = True
    except ValidationError as error:
        accepted = False
        assert all(p.column == "joined" for p in error.problems)
    assert accepted == allowed
    if accepted:
        assert movement_store.campaign_members().set_index("unit").loc["coal.anju", "joined"] == joined
