"""The messages of the source: every ``_()``, ``ngettext()``, ``N_()`` and ``gettext()`` of src/gosplan
(Python and Jinja templates), read with Babel's extractor, with the file and line of each."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from babel.messages.extract import extract_from_dir

SOURCE = Path(__file__).resolve().parents[2] / "src" / "gosplan"
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
METHODS = [("**.py", "python"), ("**/templates/**.j2", "jinja2.ext:babel_extract")]
OPTIONS = {"**/templates/**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}


@dataclass(frozen=True)
class Message:
    id: str | tuple[str, str]
    where: str  # file:line

    @property
    def key(self) -> str | tuple[str, str]:
        return self.id


def source_messages() -> list[Message]:
    """Every message the code marks for translation, with the file and line it comes from."""
    found = []
    for filename, line, message, _comments, _context in extract_from_dir(
            SOURCE, METHODS, keywords=KEYWORDS, options_map=OPTIONS, comment_tags=()):
        if not message or (isinstance(message, str) and not message.strip()):
            continue
        key = tuple(message[:2]) if isinstance(message, tuple | list) else message
        if isinstance(key, tuple) and not key[1]:
            key = key[0]
        found.append(Message(key, f"src/gosplan/{filename}:{line}"))
    return found
