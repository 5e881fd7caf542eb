"""Provisional and official figures from the one fact table, on SQLite and PostgreSQL: the same fact
on each basis in the service, ``gosplan status --basis`` and the review; official figures leave out a
unit whose month is not approved; the review shows official figures once approval is on."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from clienv import run_cli
from gosplan.errors import GosplanError
from gosplan.review import build_review
from gosplan.service.accounts import Principal
from gosplan.service.workflow import approve, submit

ADMIN = Principal("ada", "admin", None, "test")


@pytest.fixture
def approved_e2(service):
    """Coal targets and June reports of E2 and E3 (both in SP); only E2's June is approved."""
    targets = pd.DataFrame({"plan": "AP2023", "indicator": "coal", "unit": ["E2", "E3"], "period": "2023-06",
                            "value": [10.0, 10.0]})
    service.store.write_targets(targets, source="t", recorded_by="t")
    reports = pd.DataFrame({"indicator": "coal", "unit": ["E2", "E3"], "period": "2023-06", "value": [9.0, 4.0]})
    service.store.write_reports(reports, source="t", recorded_by="t")
    return service


def _produced(frame: pd.DataFrame, unit: str) -> float:
    return float(frame.set_index(["unit", "indicator"]).loc[(unit, "coal"), "produced"])


def test_official_figures_count_approved_months_only(approved_e2):
    service = approved_e2
    assert _produced(service.facts("2023-06", window="period"), "SP") == 13.0
    nothing = service.on_basis("official").facts("2023-06", window="period")  # nothing approved yet
    assert nothing["produced"].fillna(0).eq(0).all() and nothing["status"].eq("missing").any()
    submit(service, "E2", "2023-06", ADMIN)
    approve(service, "E2", "2023-06", ADMIN)
    official = service.on_basis("official").facts("2023-06", window="period")
    assert _produced(official, "SP") == 9.0  # E3's 4 t are not approved
    assert "E3" not in set(official.loc[official["produced"].gt(0), "unit"])
    assert _produced(service.on_basis("provisional").facts("2023-06", window="period"), "SP") == 13.0
    with pytest.raises(GosplanError, match="--basis must be one of provisional, official"):
        service.on_basis("final")


def test_status_and_review_show_the_same_fact_on_each_basis(approved_e2):
    service = approved_e2
    submit(service, "E2", "2023-06", ADMIN)
    approve(service, "E2", "2023-06", ADMIN)
    url = service.store.url
    for basis, expected in (("provisional", 13.0), ("official", 9.0)):
        fact = _produced(service.on_basis(basis).facts("2023-06"), "DPRK")
        assert fact == expected
        csv = run_cli(url, "status", "--period", "2023-06", "--basis", basis, "--format", "csv").output
        assert _produced(pd.read_csv(io.StringIO(csv)).assign(unit="DPRK"), "DPRK") == fact
        text = run_cli(url, "status", "--period", "2023-06", "--basis", basis, width=80).output
        assert ("Official figures: approved reports only" if basis == "official"
                else "Provisional figures: all current reports") in text
        review = build_review(service, "2023-06", only=["indicators"], basis=basis)
        assert review.basis == basis
        assert _produced(review.section("indicators").tables["indicators"], "DPRK") == fact
    # Approval is on: the review shows official figures unless told otherwise.
    assert build_review(service, "2023-06", only=["indicators"]).basis == "official"
    refused = run_cli(url, "status", "--period", "2023-06", "--basis", "final", code=2)
    assert "must be one of provisional, official" in refused.output
