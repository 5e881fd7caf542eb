"""Fixtures of the workflow tests: the store tests' small economy, on SQLite and PostgreSQL."""

from __future__ import annotations

import email
import email.policy
import socket

import pytest

from store.economy import INDICATORS, PLANS, SECTORS, UNITS


@pytest.fixture
def service(store):
    """A service over a store holding the small economy (two provinces, three enterprises)."""
    from gosplan.service import Service

    store.write_sectors(SECTORS)
    store.write_units(UNITS)
    store.write_indicators(INDICATORS)
    store.write_plans(PLANS)
    return Service(store)


class Inbox:
    """An aiosmtpd handler keeping what arrives; ``refuse`` makes it answer RCPT with 550."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = f"Subject: {message['Subject']}\nFrom: {message['From']}\n\n{message.get_content().replace(chr(13), '')}"
        self.messages.append((list(envelope.rcpt_tos), text))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    """A real SMTP server on a loopback port; yields (inbox, settings, start, stop)."""
    from aiosmtpd.controller import Controller

    from gosplan.service.mail import SmtpSettings

    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    settings = SmtpSettings(host="127.0.0.1", port=port, sender="plan@gosplan.test", timeout=5)
    running = []

    def start():
        controller.start()
        running.append(True)

    def stop():
        if running:
            controller.stop()
            running.clear()

    yield inbox, settings, start, stop
    stop()
