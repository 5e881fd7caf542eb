"""Codes the store keeps (a unit's kind, a mail's state, a violation's status) in the reader's words.

    >>> from gosplan.i18n import use_language
    >>> code_word("enterprise"), code_word("follow-up")
    ('enterprise', 'follow-up')
    >>> with use_language("ko"):
    ...     code_word("enterprise"), code_word("queued"), code_word("no-such-code")
    ('기업소', '대기', 'no-such-code')
"""

from __future__ import annotations

from gosplan.i18n import N_, _

CODE_WORDS: dict[str, str] = {
    # kinds of reporting unit
    "country": N_("country"), "province": N_("province"), "county": N_("county"), "city": N_("city"),
    "enterprise": N_("enterprise"), "farm": N_("farm"), "unit": N_("unit"), "ministry": N_("ministry"),
    # states of a mail in the outbox, and kinds of mail
    "queued": N_("queued"), "sending": N_("sending"), "sent": N_("sent"), "failed": N_("failed"),
    "held": N_("held for the digest"), "digested": N_("sent in a digest"),
    "alert": N_("alert"), "approval": N_("approval"), "deadline": N_("deadline"), "action": N_("action"),
    "digest": N_("digest"),
    # states of a validation rule's violation
    "open": N_("open"), "follow-up": N_("follow-up"), "resolved": N_("resolved"), "cleared": N_("cleared"),
}


def word_of(words: dict[str, str], code: object) -> str:
    """``code`` in the reader's words from ``words`` (code -> message marked with ``N_``); anything not
    in ``words`` as its text."""
    text = str(code)
    return _(words[text]) if text in words else text


def code_word(code: object) -> str:
    """``code`` in the reader's words where it is a known code (:data:`CODE_WORDS`); anything else as it is."""
    return "" if code is None else word_of(CODE_WORDS, code)
