"""Every message the review prints (its Python sources, its template, the wording it borrows from the
service and the action proposers) has a Korean translation: found by Babel's own extractors."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

import gosplan
from gosplan.i18n import catalogue

ROOT = Path(gosplan.__file__).parent
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "worded": None}
OWN_ELSEWHERE = {"terminal.py", "terminal_groups.py"}  # the `gosplan status` printer has its own catalogue
SOURCES = sorted(
    [p for p in (ROOT / "review").rglob("*.py") if p.name not in OWN_ELSEWHERE]
    + list((ROOT / "review" / "templates").glob("*.j2"))
    + [ROOT / "service" / name for name in ("wording.py", "alerts.py", "reserves.py", "plans.py", "campaigns.py")]
    + [ROOT / "engines" / "actions.py"] + sorted((ROOT / "engines" / "proposers").glob("*.py"))
)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_review_message_has_a_korean_translation(path: Path) -> None:
    method = "jinja2.ext:babel_extract" if path.suffix == ".j2" else "python"
    korean = catalogue("ko")
    missing = []
    for _line, message, _comments, _context in extract_from_file(method, str(path), keywords=KEYWORDS):
        key = message if isinstance(message, str) else tuple(message[:2])
        if key and key not in korean:
            missing.append(key)
    assert not missing, missing
