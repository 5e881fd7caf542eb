"""Projects, milestones, progress revisions, farms and weather events in the store, on both backends."""

import pandas as pd
import pytest

from gosplan.errors import NotFound, ValidationError

PROJECTS = pd.DataFrame({"code": ["H1"], "name": ["Housing 1"], "unit": ["B1"], "budget": [1200.0],
                         "start": ["2023-01"], "planned_end": ["2023-12"], "dwellings": [300]})
MILESTONES = pd.DataFrame({"project": ["H1", "H1"], "milestone": ["frames", "handover"],
                           "planned_date": ["2023-06", "2023-12"], "planned_value": [0.5, 1.0],
                           "dwellings": [0, 300]})
PROGRESS = pd.DataFrame({"project": ["H1", "H1"], "period": ["2023-01", "2023-02"],
                         "percent_complete": [5.0, 12.0], "actual_cost": [60.0, 150.0],
                         "dwellings_completed": [0, 0]})


def test_projects_round_trip_and_upsert(store):
    assert store.write_projects(PROJECTS).new == 1
    assert store.write_projects(PROJECTS).unchanged == 1
    assert store.write_projects(PROJECTS.assign(budget=1300.0)).updated == 1
    assert store.projects().loc[0, "budget"] == 1300.0
    assert store.write_project_milestones(MILESTONES).new == 2
    assert store.project_milestones()["milestone"].tolist() == ["frames", "handover"]


def test_progress_is_never_overwritten(store):
    store.write_projects(PROJECTS)
    first = store.write_project_progress(PROGRESS, source="jan-feb.csv", recorded_by="t")
    assert (first.new, first.updated) == (2, 0)
    assert store.write_project_progress(PROGRESS, source="again", recorded_by="t").unchanged == 2
    corrected = PROGRESS.iloc[[1]].assign(percent_complete=13.0)
    assert store.write_project_progress(corrected, source="fix.csv", recorded_by="t").updated == 1
    current = store.project_progress()
    assert current.set_index("period").loc["2023-02", "percent_complete"] == 13.0
    history = store.project_progress_history("H1")
    feb = history[history["period"].eq("2023-02")]
    assert feb["revision"].tolist() == [1, 2] and feb["current"].tolist() == [False, True]
    assert feb["percent_complete"].tolist() == [12.0, 13.0] and feb["source"].tolist() == ["jan-feb.csv", "fix.csv"]
    assert store.project_progress(last="2023-01")["period"].tolist() == ["2023-01"]


def test_progress_of_an_unknown_project_is_refused_and_nothing_written(store):
    store.write_projects(PROJECTS)
    with pytest.raises(ValidationError, match="unknown project"):
        store.write_project_progress(PROGRESS.assign(project=["H1", "nope"]), source="x", recorded_by="t")
    assert store.project_progress().empty


def test_farms_weather_and_action_details(store):
    store.write_farms(pd.DataFrame({"unit": ["f1"], "crop_area_ha": [100.0], "irrigated_ha": [40.0]}))
    assert store.farms().to_dict("records") == [{"unit": "f1", "crop_area_ha": 100.0, "irrigated_ha": 40.0}]
    events = pd.DataFrame({"province": ["P1", "P1"], "period": ["2022-05", "2023-05"],
                           "kind": ["drought", "drought"], "severity": [0.4, 0.5], "description": ["", "dry"]})
    assert store.write_weather_events(events).new == 2
    assert store.weather_events(2023)["severity"].tolist() == [0.5]
    (action_id,) = store.add_actions(pd.DataFrame([{"title": "t", "owner_unit": "u", "due": "2023-12-31",
                                                    "details": {"baseline": 0.9}}]))
    assert store.action(action_id)["details"] == {"baseline": 0.9}
    with pytest.raises(NotFound):
        store.action(999)
