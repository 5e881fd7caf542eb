"""Mail: users' addresses and choices, the outbox, the SMTP sender and the daily digest.

Nothing is sent where it happens: an event (an alert escalated, an approval requested, a deadline near
or missed, an action accepted; :mod:`gosplan.service.notify`) *queues* one message per recipient in the
store's outbox, and :func:`send_due` hands due messages to the SMTP server. A server that is down or
refuses leaves the message queued with a later attempt (backoff doubling from one minute to six hours);
after :data:`MAX_ATTEMPTS` it is ``failed`` and shown to the admin (``gosplan mail status``) until
``gosplan mail retry`` queues it again. Two senders running at once send each message once: a sender
first *claims* a message with a conditional update that only one of them can win.

Sending uses the standard library (:mod:`smtplib`, :class:`email.message.EmailMessage`); settings come
from the environment: ``GOSPLAN_SMTP_HOST``, ``GOSPLAN_SMTP_PORT``, ``GOSPLAN_SMTP_TLS`` (none, starttls
or ssl), ``GOSPLAN_SMTP_USER``, ``GOSPLAN_SMTP_PASSWORD``, ``GOSPLAN_SMTP_FROM``.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import smtplib
import ssl
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pandas as pd

from gosplan.errors import GosplanError, InvalidValue, NotFound
from gosplan.i18n import _
from gosplan.service.core import Service
from gosplan.store._common import utc_now

#: What a user may choose to receive.
KINDS = ("alert", "approval", "deadline", "action")
TLS_MODES = ("none", "starttls", "ssl")
MAX_ATTEMPTS = 10
FIRST_BACKOFF = timedelta(minutes=1)
LAST_BACKOFF = timedelta(hours=6)
#: A message claimed longer ago than this by a sender that never finished is queued again.
STALE_CLAIM = timedelta(minutes=15)
_ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+$")


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to reach the SMTP server."""

    host: str
    port: int
    tls: str = "none"
    user: str | None = None
    password: str | None = None
    sender: str = "gosplan@localhost"
    timeout: float = 10.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings:
        """The settings from ``GOSPLAN_SMTP_*``; :class:`GosplanError` when no host is set."""
        env = os.environ if environ is None else environ
        host = env.get("GOSPLAN_SMTP_HOST", "").strip()
        if not host:
            raise GosplanError(_("mail is not configured: set GOSPLAN_SMTP_HOST (and GOSPLAN_SMTP_PORT, "
                                 "GOSPLAN_SMTP_TLS, GOSPLAN_SMTP_USER, GOSPLAN_SMTP_PASSWORD, GOSPLAN_SMTP_FROM)"))
        tls = env.get("GOSPLAN_SMTP_TLS", "none").strip().lower() or "none"
        if tls not in TLS_MODES:
            raise GosplanError(_("GOSPLAN_SMTP_TLS must be one of {choices}, not {value!r}",
                                 choices=", ".join(TLS_MODES), value=tls))
        default_port = {"none": 25, "starttls": 587, "ssl": 465}[tls]
        port_text = env.get("GOSPLAN_SMTP_PORT", "").strip()
        if port_text and not port_text.isdigit():
            raise GosplanError(_("GOSPLAN_SMTP_PORT must be a port number, not {value!r}", value=port_text))
        return cls(host=host, port=int(port_text) if port_text else default_port, tls=tls,
                   user=env.get("GOSPLAN_SMTP_USER") or None, password=env.get("GOSPLAN_SMTP_PASSWORD") or None,
                   sender=env.get("GOSPLAN_SMTP_FROM") or "gosplan@localhost")


@dataclass(frozen=True)
class SendResult:
    """What one run of the sender did."""

    sent: int
    deferred: int
    failed: int
    error: str | None = None  # the last error met, for the operator


# -------------------------------------------------------------------------------------- choices
def set_address(service: Service, user: str, email: str, kinds: Iterable[str] | None = None,
                digest: bool = False) -> None:
    """Give ``user`` a mail address and choose what it receives (default: every kind), at once or as
    one daily digest."""
    if service.store.user(user) is None:
        raise NotFound(_("no account {user!r}", user=user))
    if not _ADDRESS.match(email.strip()):
        raise InvalidValue(_("{email!r} is not a mail address", email=email))
    chosen = list(KINDS) if kinds is None else [k.strip() for k in kinds if k.strip()]
    unknown = [k for k in chosen if k not in KINDS]
    if unknown:
        raise InvalidValue(_("unknown kind of mail {kind!r}; choose from {choices}", kind=unknown[0],
                             choices=", ".join(KINDS)))
    service.store.set_mail_settings(user, email.strip(), chosen, digest)


def remove_address(service: Service, user: str) -> None:
    """``user`` receives no mail any more (messages already queued are still sent)."""
    if not service.store.delete_mail_settings(user):
        raise NotFound(_("{user} has no mail address", user=user))


def addresses(service: Service) -> pd.DataFrame:
    """user_name, email, kinds, digest — with the account's role and subtree."""
    settings = service.store.mail_settings()
    users = service.store.users()[["name", "role", "subtree", "disabled"]].rename(columns={"name": "user_name"})
    return settings.merge(users, on="user_name", how="left")


# -------------------------------------------------------------------------------------- queuing
def queue(service: Service, kind: str, users: Iterable[str], subject: str, body: str, key: str) -> int:
    """Queue one message per user that has an address and chose ``kind`` (held for the digest when
    the user chose one). ``key`` names the event: the same event queued again adds nothing.
    Returns the number of messages added."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of mail {kind!r}")
    settings = service.store.mail_settings().set_index("user_name")
    rows = []
    for user in dict.fromkeys(users):
        if user not in settings.index or kind not in settings.loc[user, "kinds"]:
            continue
        rows.append({"key": f"{key}:{user}"[:400], "kind": kind, "user_name": user,
                     "recipient": settings.loc[user, "email"], "subject": subject[:400], "body": body,
                     "status": "held" if settings.loc[user, "digest"] else "queued"})
    return service.store.queue_mail(rows) if rows else 0


# -------------------------------------------------------------------------------------- sending
def backoff(attempts: int) -> timedelta:
    """Wait before attempt ``attempts + 1``: one minute, doubling, at most six hours.

    >>> [int(backoff(n).total_seconds() // 60) for n in (1, 2, 3, 10)]
    [1, 2, 4, 360]
    """
    return min(FIRST_BACKOFF * 2 ** max(attempts - 1, 0), LAST_BACKOFF)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.tls == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                              context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.tls == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if settings.user:
        smtp.login(settings.user, settings.password or "")
    return smtp


def _email(settings: SmtpSettings, message: dict) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = message["recipient"]
    mail["Subject"] = message["subject"]
    mail["Date"] = format_datetime(utc_now().replace(tzinfo=UTC))
    domain = settings.sender.rpartition("@")[2] or "localhost"
    mail["Message-ID"] = make_msgid(idstring=f"gosplan.{message['id']}", domain=domain)
    mail["X-Gosplan-Kind"] = message["kind"]
    mail.set_content(_wrap(message["body"]))
    return mail


def _wrap(body: str) -> str:
    """Paragraphs filled to 72 columns (list items and commands kept whole), as plain-text mail reads best."""
    return "\n".join(line if len(line) <= 72 or line.startswith(("- ", "gosplan ")) else
                     textwrap.fill(line, 72, break_long_words=False, break_on_hyphens=False)
                     for line in body.splitlines())


def send_due(service: Service, settings: SmtpSettings, *, now: datetime | None = None, limit: int = 500
             ) -> SendResult:
    """Send the queued messages that are due (at most ``limit``), one SMTP session for all. A message
    the server refuses, or that cannot be handed over, waits for its next attempt; when the server
    cannot be reached at all the run stops and every message keeps its place."""
    now = now or utc_now()
    service.store.release_stale_mail(now - STALE_CLAIM)
    sender = secrets.token_hex(8)
    sent = deferred = failed = 0
    error: str | None = None
    smtp: smtplib.SMTP | None = None
    try:
        for message_id in service.store.due_mail(now, limit):
            if not service.store.claim_mail(message_id, sender):
                continue  # another sender has it
            message = service.store.mail_message(message_id)
            if message is None:
                continue
            try:
                if smtp is None:
                    smtp = _connect(settings)
                smtp.send_message(_email(settings, message))
            except (OSError, smtplib.SMTPException) as exc:
                error = _describe(exc)
                attempts = int(message["attempts"]) + 1
                gave_up = attempts >= MAX_ATTEMPTS
                service.store.finish_mail(message_id, sender, status="failed" if gave_up else "queued",
                                          attempts=attempts, last_error=error, claimed_by=None,
                                          next_attempt_at=now + backoff(attempts))
                failed += gave_up
                deferred += not gave_up
                if not isinstance(exc, (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)):
                    break  # the server is not there (or went away): the others wait their turn
                continue
            service.store.finish_mail(message_id, sender, status="sent", sent_at=utc_now(), claimed_by=None,
                                      attempts=int(message["attempts"]) + 1, last_error=None)
            sent += 1
    finally:
        if smtp is not None:
            with contextlib.suppress(OSError):  # smtplib's errors are OSErrors
                smtp.quit()
    return SendResult(sent, deferred, failed, error)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{who}: {code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                         for who, (code, text) in exc.recipients.items())[:1000]
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"[:1000]
    return f"{type(exc).__name__}: {exc}"[:1000]


def retry(service: Service, ids: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """Queue failed messages again (``ids``, or all), due at once. Returns how many."""
    return service.store.requeue_mail(ids, now or utc_now())


def status(service: Service) -> tuple[dict[str, int], pd.DataFrame]:
    """Counts per state, and the messages that wait or failed (with their last error)."""
    waiting = service.store.outbox(status=["queued", "sending", "failed"])
    return service.store.outbox_counts(), waiting


# -------------------------------------------------------------------------------------- digest
def gather_digests(service: Service, now: datetime | None = None) -> int:
    """Put each user's held messages into one digest message (queued for :func:`send_due`). Returns the
    number of digests queued; run it once a day."""
    now = now or utc_now()
    held = service.store.held_mail()
    made = 0
    for user, group in held.groupby("user_name", sort=True):
        ids = [int(i) for i in group["id"]]
        parts = [f"{r.subject}\n{'-' * min(len(r.subject), 72)}\n{r.body.strip()}\n" for r in group.itertuples()]
        body = "\n".join(parts)
        digest = {"key": f"digest:{user}:{ids[0]}-{ids[-1]}", "kind": "digest", "user_name": str(user),
                  "recipient": group["recipient"].iloc[-1],
                  "subject": _("gosplan: {count} notification(s) of {day}", count=len(ids), day=f"{now:%Y-%m-%d}"),
                  "body": body, "status": "queued"}
        made += service.store.gather_digest(ids, digest)
    return made


# -------------------------------------------------------------------------------------- in the server
DAILY_KEY = "mail_daily_done"


class Mailer:
    """Sends from inside ``gosplan serve``: due messages every ``interval`` seconds and, once a day from
    ``daily_hour`` (UTC), the digests and the deadline reminders. Several server processes may each run
    one: claims keep every message single, and the daily work is idempotent (its keys)."""

    def __init__(self, service: Service, settings: SmtpSettings, interval: float = 30.0, daily_hour: int = 6
                 ) -> None:
        import threading

        self.service, self.settings, self.interval, self.daily_hour = service, settings, interval, daily_hour
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def cycle(self, now: datetime | None = None) -> SendResult:
        """One round: the daily work when due, then the due messages."""
        from gosplan.service.notify import deadlines

        now = now or utc_now()
        today = f"{now:%Y-%m-%d}"
        if now.hour >= self.daily_hour and self.service.store.get_meta(DAILY_KEY) != today:
            self.service.store.set_meta(DAILY_KEY, today)
            self.service.invalidate()  # units, reports and sets may have changed since yesterday
            deadlines(self.service, now.date())
            gather_digests(self.service, now)
        return send_due(self.service, self.settings, now=now)

    def _run(self) -> None:
        import logging

        log = logging.getLogger("gosplan.mail")
        while not self._stop.is_set():
            try:
                result = self.cycle()
                if result.error:
                    log.warning("mail: %s sent, %s waiting; last error: %s", result.sent, result.deferred, result.error)
            except Exception:  # the sender must outlive a bad round (the store away for a moment, say)
                log.exception("mail: the sending round failed; the messages stay queued")
            self._stop.wait(self.interval)

    def start(self) -> None:
        import threading

        self._thread = threading.Thread(target=self._run, name="gosplan-mail", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.timeout + 5)
