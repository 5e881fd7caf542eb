"""Drafts: checked rows kept on the server under a token, for one account, once, for an hour."""

from __future__ import annotations

import json
import os
import stat
import time

import pandas as pd
import pytest

from gosplan.errors import PermissionDenied
from gosplan.web.drafts import DraftGone, Drafts


def test_a_draft_round_trips_any_number_of_rows_as_text(tmp_path):
    drafts = Drafts(tmp_path / "d")
    rows = pd.DataFrame({"indicator": ["coal"] * 50_000, "value": [f"{i}.125" for i in range(50_000)]})
    token = drafts.put("ada", {"kind": "reports", "done": "/"}, rows)
    assert len(token) >= 40 and stat.S_IMODE(os.stat(tmp_path / "d").st_mode) == 0o700
    meta, back = drafts.take(token, "ada")
    assert meta["kind"] == "reports" and back.equals(rows)
    with pytest.raises(DraftGone, match="saved already"):
        drafts.take(token, "ada")
    assert list((tmp_path / "d").iterdir()) == []


def test_a_draft_belongs_to_its_account_and_expires(tmp_path):
    drafts = Drafts(tmp_path, max_age=60)
    token = drafts.put("ada", {"kind": "reports"}, pd.DataFrame({"value": ["1"]}))
    with pytest.raises(PermissionDenied):
        drafts.take(token, "bob")
    meta_path = tmp_path / f"{token}.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "created": meta["created"] - 61}))
    with pytest.raises(DraftGone, match="expired"):
        drafts.take(token, "ada")
    with pytest.raises(DraftGone, match="not valid"):
        drafts.take("../../etc/passwd", "ada")


def test_old_drafts_are_swept(tmp_path):
    drafts = Drafts(tmp_path, max_age=60)
    token = drafts.put("ada", {}, pd.DataFrame({"value": ["1"]}))
    old = time.time() - 3600
    for path in tmp_path.iterdir():
        os.utime(path, (old, old))
    assert drafts.sweep() == 2
    with pytest.raises(DraftGone):
        drafts.take(token, "ada")
