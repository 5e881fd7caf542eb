"""Every message the code marks (``_``, ``ngettext``, ``N_``, ``gettext`` in src/gosplan, Python and Jinja
templates, read with Babel's extractor) has a Korean translation."""

from __future__ import annotations

from messages import source_messages

from gosplan.i18n import catalogue


def test_every_marked_message_has_a_korean_translation() -> None:
    korean = catalogue("ko")
    messages = source_messages()
    assert len(messages) > 200  # the extractor found the code's messages (CLI, web, API)
    missing = sorted({f"{m.where}: {m.id!r}" for m in messages if m.id not in korean})
    assert not missing, "messages without a Korean translation:\n" + "\n".join(missing)
