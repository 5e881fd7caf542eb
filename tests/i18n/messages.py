"""The messages of the source: every ``_()``, ``ngettext()``, ``N_()`` and ``gettext()`` of src/gosplan
(Python and Jinja templates), read with Babel's extractor, with the file and line of each."""

from __future__ import annotations

import ast
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
    return found + _inside_f_strings()


def _inside_f_strings() -> list[Message]:
    """Messages marked inside f-strings (``f"<h3>{_('Title')}</h3>"``), which Babel's extractor does not see
    on Python before 3.12, where an f-string is one token."""
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):
                continue
            for call in ast.walk(node):
                if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in KEYWORDS
                        and call.args and all(isinstance(a, ast.Constant) for a in call.args[:2])):
                    first = call.args[0].value
                    key = (first, call.args[1].value) if call.func.id == "ngettext" else first
                    found.append(Message(key, f"src/gosplan/{path.relative_to(SOURCE)}:{call.lineno}"))
    return found
