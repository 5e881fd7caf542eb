"""Natural conditions read from unit groupings for the reserves DEA (no demo needed: a stub store)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from gosplan.errors import ValidationError
from gosplan.service.reserves import conditions


def _service(rows: list[tuple[str, str, str]]):
    frame = pd.DataFrame([(u, g, c, c) for u, g, c in rows], columns=["unit", "grouping", "group_code", "group_name"])
    store = SimpleNamespace(unit_groups=lambda grouping: frame[frame["grouping"].eq(grouping)].reset_index(drop=True))
    return SimpleNamespace(store=store)


def test_a_condition_is_used_only_where_every_unit_of_the_group_has_it():
    groups = pd.Series({"m1": "coal", "m2": "coal", "h1": "hydro", "h2": "hydro", "s1": "steel"})
    service = _service([("m1", "seam_thickness", "1.5"), ("m2", "seam_thickness", "3"),
                        ("h1", "inflow_index", "0.9")])
    values, used, incomplete = conditions(service, groups)
    assert used == {"coal": ["seam_thickness"]} and incomplete == {"hydro": ["inflow_index"]}
    assert values["seam_thickness"].to_dict() == {"m1": 1.5, "m2": 3.0, "h1": 0.0, "h2": 0.0, "s1": 0.0}
    assert list(values.columns) == ["seam_thickness"]  # an all-zero column is dropped


def test_a_condition_that_is_not_a_positive_number_is_refused_naming_unit_and_grouping():
    groups = pd.Series({"m1": "coal", "m2": "coal"})
    service = _service([("m1", "seam_thickness", "thin"), ("m2", "seam_thickness", "0")])
    with pytest.raises(ValidationError) as caught:
        conditions(service, groups)
    reasons = " ".join(str(p) for p in caught.value.problems)
    assert "seam_thickness of m1" in reasons and "'thin'" in reasons and "seam_thickness of m2" in reasons
