"""The mail outbox and users' mail choices.

A message is a row before it is anything else: queuing is an insert (idempotent per ``key``), a sender
*claims* a row with a conditional update (only one sender's update can move it from queued to sending),
and only the sender that won the claim talks to the SMTP server. A down server leaves rows queued with
a later ``next_attempt_at``; nothing is lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError

from gosplan.store import schema
from gosplan.store._common import utc_now

OUTBOX_COLUMNS = ["id", "key", "kind", "user_name", "recipient", "subject", "status", "attempts",
                  "next_attempt_at", "last_error", "created_at", "sent_at", "digest_id"]
SETTINGS_COLUMNS = ["user_name", "email", "kinds", "digest"]


class MailMixin:
    """Outbox rows and mail settings of the :class:`~gosplan.store.Store`."""

    # -- settings ---------------------------------------------------------------------------------
    def set_mail_settings(self, user_name: str, email: str, kinds: Iterable[str], digest: bool,
                          conn: Connection | None = None) -> None:
        s = schema.mail_settings
        values = {"email": email, "kinds": ",".join(kinds), "digest": bool(digest)}
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            if c.execute(s.update().where(s.c.user_name == user_name).values(**values)).rowcount == 0:
                c.execute(s.insert().values(user_name=user_name, **values))

    def delete_mail_settings(self, user_name: str, conn: Connection | None = None) -> int:
        s = schema.mail_settings
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            return c.execute(s.delete().where(s.c.user_name == user_name)).rowcount

    def mail_settings(self) -> pd.DataFrame:
        """user_name, email, kinds (a list), digest."""
        s = schema.mail_settings
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(*(s.c[k] for k in SETTINGS_COLUMNS)).order_by(s.c.user_name)).all()
        return pd.DataFrame([(r[0], r[1], [k for k in r[2].split(",") if k], bool(r[3])) for r in rows],
                            columns=SETTINGS_COLUMNS)

    # -- outbox -----------------------------------------------------------------------------------
    def queue_mail(self, rows: list[dict[str, Any]], conn: Connection | None = None) -> int:
        """Insert messages (key, kind, user_name, recipient, subject, body, status); a key already
        queued is skipped. Returns how many were new."""
        o = schema.mail_outbox
        now = utc_now()
        added = 0
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            known = set(c.execute(select(o.c.key).where(o.c.key.in_([r["key"] for r in rows]))).scalars()) \
                if rows else set()
            for row in rows:
                if row["key"] in known:
                    continue
                known.add(row["key"])
                values = {"attempts": 0, "next_attempt_at": now, "created_at": now, **row}
                if c.dialect.name == "postgresql":
                    # Another writer may queue the same event at the same moment: a savepoint keeps the
                    # caller's transaction alive when its insert loses.
                    try:
                        with c.begin_nested():
                            c.execute(o.insert().values(**values))
                    except IntegrityError:
                        continue
                else:
                    c.execute(o.insert().values(**values))
                added += 1
        return added

    def outbox(self, status: Iterable[str] | None = None, limit: int | None = None) -> pd.DataFrame:
        """Messages, oldest first (without their bodies)."""
        o = schema.mail_outbox
        query = select(*(o.c[k] for k in OUTBOX_COLUMNS)).order_by(o.c.id)
        if status is not None:
            query = query.where(o.c.status.in_(list(status)))
        if limit is not None:
            query = query.limit(limit)
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(query).all()
        return pd.DataFrame([tuple(r) for r in rows], columns=OUTBOX_COLUMNS)

    def outbox_counts(self) -> dict[str, int]:
        o = schema.mail_outbox
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(o.c.status, func.count()).group_by(o.c.status)).all()
        return {str(s): int(n) for s, n in rows}

    def mail_message(self, message_id: int) -> dict[str, Any] | None:
        o = schema.mail_outbox
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            row = c.execute(select(o).where(o.c.id == int(message_id))).mappings().first()
        return dict(row) if row else None

    def due_mail(self, now: datetime, limit: int = 100) -> list[int]:
        """Ids of queued messages whose next attempt is due."""
        o = schema.mail_outbox
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            return list(c.execute(select(o.c.id).where(o.c.status == "queued", o.c.next_attempt_at <= now)
                                  .order_by(o.c.id).limit(limit)).scalars())

    def claim_mail(self, message_id: int, sender: str) -> bool:
        """Move one queued message to ``sending`` for ``sender``; False if another sender was first."""
        o = schema.mail_outbox
        with self._tx(None) as c:  # type: ignore[attr-defined]
            return c.execute(o.update().where(o.c.id == int(message_id), o.c.status == "queued")
                             .values(status="sending", claimed_by=sender, next_attempt_at=utc_now())).rowcount == 1

    def finish_mail(self, message_id: int, sender: str, **values: Any) -> None:
        """Record the outcome of a claimed message (status sent, queued again or failed)."""
        o = schema.mail_outbox
        with self._tx(None) as c:  # type: ignore[attr-defined]
            c.execute(o.update().where(o.c.id == int(message_id), o.c.claimed_by == sender).values(**values))

    def release_stale_mail(self, before: datetime) -> int:
        """Queue again messages claimed before ``before`` by a sender that never finished (it died)."""
        o = schema.mail_outbox
        with self._tx(None) as c:  # type: ignore[attr-defined]
            return c.execute(o.update().where(o.c.status == "sending", o.c.next_attempt_at < before)
                             .values(status="queued", claimed_by=None)).rowcount

    def requeue_mail(self, ids: Iterable[int] | None, now: datetime) -> int:
        """Queue failed messages again (``ids``, or every failed one), due now."""
        o = schema.mail_outbox
        query = o.update().where(o.c.status == "failed")
        if ids is not None:
            query = query.where(o.c.id.in_([int(i) for i in ids]))
        with self._tx(None) as c:  # type: ignore[attr-defined]
            return c.execute(query.values(status="queued", next_attempt_at=now, claimed_by=None)).rowcount

    def held_mail(self) -> pd.DataFrame:
        """Messages held for a digest, with their bodies: id, user_name, recipient, kind, subject, body,
        created_at."""
        o = schema.mail_outbox
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(o.c.id, o.c.user_name, o.c.recipient, o.c.kind, o.c.subject, o.c.body,
                                    o.c.created_at).where(o.c.status == "held").order_by(o.c.id)).all()
        return pd.DataFrame([tuple(r) for r in rows],
                            columns=["id", "user_name", "recipient", "kind", "subject", "body", "created_at"])

    def gather_digest(self, held_ids: list[int], digest: dict[str, Any]) -> bool:
        """Queue ``digest`` and mark the held messages as gone out in it, all or nothing; False when
        another process gathered any of them first (nothing is written then)."""
        o = schema.mail_outbox
        try:
            with self._tx(None) as c:  # type: ignore[attr-defined]
                claimed = c.execute(o.update().where(o.c.id.in_(held_ids), o.c.status == "held")
                                    .values(status="digested")).rowcount
                if claimed != len(held_ids) or not self.queue_mail([digest], conn=c):
                    raise _Lost
                digest_id = c.execute(select(o.c.id).where(o.c.key == digest["key"])).scalar_one()
                c.execute(o.update().where(o.c.id.in_(held_ids)).values(digest_id=digest_id))
        except _Lost:
            return False
        return True


class _Lost(Exception):
    """Another process gathered the same messages first (rolls the transaction back)."""
