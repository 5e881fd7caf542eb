"""Import of unit groupings (ministries, technologies) beside the territorial hierarchy."""

from __future__ import annotations

import pytest

from gosplan.errors import ValidationError
from gosplan.ingest import detect_kind, import_file, write_template

from .conftest import problems_of

HEADER = "unit,grouping,group_code,group_name\n"


def test_groups_import_on_both_backends_and_reimport_changes_nothing(loaded, write):
    path = write("g.csv", HEADER + "E1,ministry,metal,Metal industry\nE2,ministry,coal,Coal industry\n"
                                   "E2,technology,underground,Underground mining\n")
    assert detect_kind(["unit", "grouping", "group_code", "group_name"]) == "unit_groups"
    result = import_file(loaded, path)
    assert (result.kind, result.new) == ("unit_groups", 3)
    assert import_file(loaded, path).unchanged == 3
    ministries = loaded.unit_groups("ministry")
    assert ministries[["unit", "group_code"]].values.tolist() == [["E1", "metal"], ["E2", "coal"]]
    assert loaded.groupings() == ["ministry", "technology"]
    # a unit moves to another ministry: its row is replaced, not added
    moved = write("m.csv", HEADER + "E1,ministry,coal,Coal industry\n")
    assert import_file(loaded, moved).revised == 1
    assert loaded.unit_groups("ministry")["group_code"].tolist() == ["coal", "coal"]


def test_every_problem_is_reported_with_row_and_column_and_nothing_is_written(sqlite_loaded, write):
    path = write("g.csv", HEADER + "E1,ministry,metal,Metal industry\n"
                                   "NOPE,ministry,coal,Coal industry\n"
                                   "E1,ministry,coal,Coal industry\n"
                                   "E2,ministry,metal,Metallurgy\n"
                                   "E3,bad code!,x,X\n"
                                   "E3,technology,rain_fed,\n")
    before = sqlite_loaded.dump()
    with pytest.raises(ValidationError) as excinfo:
        import_file(sqlite_loaded, path)
    problems = problems_of(excinfo)
    columns = {(row, column) for row, column, _ in problems}
    assert {(3, "unit"), (4, None), (5, "group_name"), (6, "grouping"), (7, "group_name")} <= columns
    assert any("named 'Metal industry' in row 2" in reason for _, _, reason in problems)
    assert any("duplicate: same unit, grouping as row 2" in reason for _, _, reason in problems)
    assert all(p.source == "g.csv" for p in excinfo.value.problems)
    assert sqlite_loaded.dump() == before


def test_a_group_keeps_its_stored_name(sqlite_loaded, write):
    import_file(sqlite_loaded, write("a.csv", HEADER + "E1,ministry,metal,Metal industry\n"))
    with pytest.raises(ValidationError) as excinfo:
        import_file(sqlite_loaded, write("b.csv", HEADER + "E2,ministry,metal,Ministry of Metals\n"))
    assert problems_of(excinfo) == [(2, "group_name", "group 'metal' of 'ministry' is named 'Metal industry' in "
                                                      "the store; rename it for every unit at once")]


def test_the_template_imports_as_it_is(sqlite_loaded, tmp_path):
    write_template("unit_groups", tmp_path / "t.csv", sqlite_loaded)
    assert import_file(sqlite_loaded, tmp_path / "t.csv").new == 1


def test_korean_group_names_are_imported_and_read_in_the_readers_language(loaded, write):
    from gosplan.i18n import use_language

    path = write("g.csv", HEADER.rstrip() + ",group_name_ko\nE1,ministry,metal,Metal industry,금속공업성\n"
                                               "E2,ministry,coal,Coal industry,\n")
    assert import_file(loaded, path).new == 2
    assert loaded.unit_groups("ministry")["group_name"].tolist() == ["Metal industry", "Coal industry"]
    with use_language("ko"):  # the English name where no Korean one was given
        assert loaded.unit_groups("ministry")["group_name"].tolist() == ["금속공업성", "Coal industry"]
        # the stored English name is what a group keeps across files, whatever the reader's language
        assert import_file(loaded, write("same.csv", HEADER + "E3,ministry,metal,Metal industry\n")).new == 1
    assert import_file(loaded, path).unchanged == 2
