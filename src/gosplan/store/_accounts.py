"""Users, API tokens, the append-only audit log and idempotency keys (mixed into the Store).

The store keeps what it is given: hashing passwords and tokens, and deciding who may do what, is
the service's business (:mod:`gosplan.service.accounts`). The audit log has no update or delete.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from gosplan.errors import Conflict, NotFound
from gosplan.store import schema
from gosplan.store._common import utc_now, write_transaction

USER_COLUMNS = ["id", "name", "password_hash", "role", "subtree", "disabled", "created_at"]
TOKEN_COLUMNS = ["id", "name", "role", "subtree", "created_by", "created_at", "revoked", "last_used_at"]
AUDIT_COLUMNS = ["id", "at", "actor", "source", "action", "object", "before", "after"]


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


class AccountMixin:
    """Persistence of accounts and the audit trail (mixed into :class:`~gosplan.store.Store`)."""

    # -- users ----------------------------------------------------------------------------------------

    def add_user(self, name: str, password_hash: str, role: str, subtree: str | None = None,
                 conn: Connection | None = None) -> int:
        """Insert a user; :class:`Conflict` when the name is taken. Returns its id."""
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            if c.execute(select(schema.users.c.id).where(schema.users.c.name == name)).first():
                raise Conflict(f"a user named {name!r} already exists")
            return c.execute(
                insert(schema.users).values(name=name, password_hash=password_hash, role=role, subtree=subtree,
                                            disabled=False, created_at=utc_now()).returning(schema.users.c.id)
            ).scalar_one()

    def user(self, name: str) -> dict[str, Any] | None:
        """One user as a dict (``USER_COLUMNS``), or ``None``."""
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            row = c.execute(select(*(schema.users.c[k] for k in USER_COLUMNS))
                            .where(schema.users.c.name == name)).first()
        return dict(zip(USER_COLUMNS, row, strict=True)) if row else None

    def users(self) -> pd.DataFrame:
        """Every user (without the password hash), by name."""
        columns = [k for k in USER_COLUMNS if k != "password_hash"]
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(*(schema.users.c[k] for k in columns)).order_by(schema.users.c.name)).all()
        return _frame(rows, columns)

    def update_user(self, name: str, conn: Connection | None = None, **values: Any) -> None:
        """Change fields of a user (role, subtree, disabled, password_hash); :class:`NotFound` if unknown."""
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            result = c.execute(update(schema.users).where(schema.users.c.name == name).values(**values))
            if result.rowcount == 0:
                raise NotFound(f"no user named {name!r}")

    def count_admins(self) -> int:
        """Enabled accounts with the admin role."""
        u = schema.users.c
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            return int(c.execute(select(func.count()).where(u.role == "admin", u.disabled.is_(False))).scalar_one())

    # -- API tokens -----------------------------------------------------------------------------------

    def add_token(self, name: str, token_hash: str, role: str, subtree: str | None, created_by: str,
                  conn: Connection | None = None) -> int:
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            return c.execute(
                insert(schema.api_tokens).values(name=name, token_hash=token_hash, role=role, subtree=subtree,
                                                 created_by=created_by, created_at=utc_now(), revoked=False)
                .returning(schema.api_tokens.c.id)
            ).scalar_one()

    def token_by_hash(self, token_hash: str) -> dict[str, Any] | None:
        t = schema.api_tokens.c
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            row = c.execute(select(*(t[k] for k in TOKEN_COLUMNS)).where(t.token_hash == token_hash)).first()
        return dict(zip(TOKEN_COLUMNS, row, strict=True)) if row else None

    def tokens(self) -> pd.DataFrame:
        t = schema.api_tokens.c
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(*(t[k] for k in TOKEN_COLUMNS)).order_by(t.id)).all()
        return _frame(rows, TOKEN_COLUMNS)

    def update_token(self, token_id: int, conn: Connection | None = None, **values: Any) -> None:
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            result = c.execute(update(schema.api_tokens).where(schema.api_tokens.c.id == int(token_id))
                               .values(**values))
            if result.rowcount == 0:
                raise NotFound(f"no API token with id {token_id}")

    # -- audit log ------------------------------------------------------------------------------------

    def append_audit(self, actor: str, source: str, action: str, obj: str, before: Any = None,
                     after: Any = None, conn: Connection | None = None) -> int:
        """Append one entry; ``before``/``after`` are kept as JSON. There is no way to change an entry."""
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            return c.execute(
                insert(schema.audit_log).values(
                    at=utc_now(), actor=actor[:400], source=source[:400], action=action[:64], object=obj[:400],
                    before=None if before is None else json.dumps(before, default=str, sort_keys=True),
                    after=None if after is None else json.dumps(after, default=str, sort_keys=True),
                ).returning(schema.audit_log.c.id)
            ).scalar_one()

    def audit(self, *, actor: str | None = None, action: str | None = None, obj: str | None = None,
              since: datetime | None = None, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
        """Audit entries, newest first, optionally filtered (``obj`` matches a prefix of the object)."""
        a = schema.audit_log.c
        query = select(*(a[k] for k in AUDIT_COLUMNS)).order_by(a.id.desc())
        if actor:
            query = query.where(a.actor == actor)
        if action:
            query = query.where(a.action == action)
        if obj:
            query = query.where(a.object.startswith(obj, autoescape=True))
        if since is not None:
            query = query.where(a.at >= since)
        if limit is not None:
            query = query.limit(int(limit)).offset(int(offset))
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(query).all()
        return _frame(rows, AUDIT_COLUMNS)

    # -- idempotency keys -----------------------------------------------------------------------------

    def claim_idempotency_key(self, key: str, actor: str) -> dict[str, Any] | None:
        """Claim ``key`` for a submission. ``None`` when it is new (the caller goes ahead); otherwise the
        stored row (status ``pending`` or ``done`` with the JSON response of the first submission)."""
        k = schema.idempotency_keys.c
        try:
            with write_transaction(self.engine) as c:  # type: ignore[attr-defined]
                c.execute(insert(schema.idempotency_keys).values(key=key, actor=actor, created_at=utc_now(),
                                                                 status="pending"))
            return None
        except IntegrityError:
            with self.engine.connect() as c:  # type: ignore[attr-defined]
                row = c.execute(select(k.key, k.actor, k.status, k.response).where(k.key == key)).first()
            if row is None:  # released between our insert and this read: try again once
                return self.claim_idempotency_key(key, actor)
            return {"key": row[0], "actor": row[1], "status": row[2],
                    "response": json.loads(row[3]) if row[3] else None}

    def finish_idempotency_key(self, key: str, response: Any, conn: Connection | None = None) -> None:
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            c.execute(update(schema.idempotency_keys).where(schema.idempotency_keys.c.key == key)
                      .values(status="done", response=json.dumps(response, default=str)))

    def release_idempotency_key(self, key: str) -> None:
        """Forget a claim whose submission failed, so that a corrected retry can use the same key."""
        with write_transaction(self.engine) as c:  # type: ignore[attr-defined]
            c.execute(schema.idempotency_keys.delete().where(schema.idempotency_keys.c.key == key))
