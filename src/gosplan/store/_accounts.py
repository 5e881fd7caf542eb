"""Users, sessions, failed sign-ins, API tokens, the append-only audit log and idempotency keys
(mixed into the Store).

The store keeps what it is given: hashing passwords and tokens, and deciding who may do what, is
the service's business (:mod:`gosplan.service.accounts`). The audit log has no update or delete.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Integer, Text, cast, delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from gosplan.errors import Conflict, NotFound
from gosplan.i18n import _
from gosplan.store import schema
from gosplan.store._common import utc_now, write_transaction

USER_COLUMNS = ["id", "name", "password_hash", "role", "subtree", "disabled", "created_at", "scope_grouping",
                "scope_group"]
TOKEN_COLUMNS = ["id", "name", "role", "subtree", "created_by", "created_at", "revoked", "last_used_at",
                 "scope_grouping", "scope_group"]
AUDIT_COLUMNS = ["id", "at", "actor", "source", "action", "object", "before", "after"]
SESSION_COLUMNS = ["id", "user_name", "csrf", "created_at", "expires_at", "revoked_at"]


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


class AccountMixin:
    """Persistence of accounts and the audit trail (mixed into :class:`~gosplan.store.Store`)."""

    # -- users ----------------------------------------------------------------------------------------

    def add_user(self, name: str, password_hash: str, role: str, subtree: str | None = None,
                 conn: Connection | None = None, *, scope_grouping: str | None = None,
                 scope_group: str | None = None) -> int:
        """Insert a user (scoped to a unit subtree, or to group ``scope_group`` of grouping ``scope_grouping``,
        or neither); :class:`Conflict` when the name is taken. Returns its id."""
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            if c.execute(select(schema.users.c.id).where(schema.users.c.name == name)).first():
                raise Conflict(_("a user named {name} already exists", name=repr(name)))
            return c.execute(
                insert(schema.users).values(name=name, password_hash=password_hash, role=role, subtree=subtree,
                                            disabled=False, created_at=utc_now(), scope_grouping=scope_grouping,
                                            scope_group=scope_group).returning(schema.users.c.id)
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
        """Change fields of a user (role, subtree, scope_grouping, scope_group, disabled, password_hash);
        :class:`NotFound` if unknown."""
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            result = c.execute(update(schema.users).where(schema.users.c.name == name).values(**values))
            if result.rowcount == 0:
                raise NotFound(_("no user named {name}", name=repr(name)))

    def user_language(self, name: str) -> str | None:
        """The language ``name`` chose for the pages (None: not chosen, or no such user)."""
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            return c.execute(select(schema.users.c.language).where(schema.users.c.name == name)).scalar()

    def set_user_language(self, name: str, language: str | None, conn: Connection | None = None) -> None:
        """Remember the language ``name`` chose (nothing happens for a name that is not a user's)."""
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            c.execute(update(schema.users).where(schema.users.c.name == name).values(language=language))

    def count_admins(self, conn: Connection | None = None) -> int:
        """Enabled accounts with the admin role (inside ``conn`` when given, to decide within a write)."""
        u = schema.users.c
        query = select(func.count()).where(u.role == "admin", u.disabled.is_(False))
        if conn is not None:
            return int(conn.execute(query).scalar_one())
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            return int(c.execute(query).scalar_one())

    def delete_user(self, name: str, conn: Connection | None = None) -> None:
        """Remove a user and its sessions; :class:`NotFound` if unknown (the audit log keeps its name)."""
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            c.execute(delete(schema.sessions).where(schema.sessions.c.user_name == name))
            if c.execute(delete(schema.users).where(schema.users.c.name == name)).rowcount == 0:
                raise NotFound(_("no user named {name}", name=repr(name)))

    # -- sessions -------------------------------------------------------------------------------------

    def add_session(self, session_id: str, user_name: str, csrf: str, lifetime: timedelta,
                    conn: Connection | None = None) -> None:
        """Record a new session (``session_id`` is the hash of the cookie's token)."""
        now = utc_now()
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            c.execute(insert(schema.sessions).values(id=session_id, user_name=user_name, csrf=csrf, created_at=now,
                                                     expires_at=now + lifetime))

    def live_session(self, session_id: str) -> dict[str, Any] | None:
        """The unexpired, unrevoked session ``session_id`` of an enabled user, with the user's role and
        scope (one indexed read), or ``None``."""
        s, u = schema.sessions.c, schema.users.c
        query = (select(s.user_name, s.csrf, s.created_at, u.role, u.subtree, u.scope_grouping, u.scope_group)
                 .join_from(schema.sessions, schema.users, u.name == s.user_name)
                 .where(s.id == session_id, s.revoked_at.is_(None), s.expires_at > utc_now(), u.disabled.is_(False)))
        with self.lookups.connect() as c:  # type: ignore[attr-defined]
            row = c.execute(query).first()
        columns = ["user_name", "csrf", "created_at", "role", "subtree", "scope_grouping", "scope_group"]
        return dict(zip(columns, row, strict=True)) if row else None

    def revoke_sessions(self, *, session_id: str | None = None, user_name: str | None = None,
                        keep: str | None = None, conn: Connection | None = None) -> int:
        """Revoke one session, or every live session of ``user_name`` except ``keep``; returns how many."""
        s = schema.sessions.c
        query = update(schema.sessions).where(s.revoked_at.is_(None)).values(revoked_at=utc_now())
        if session_id is not None:
            query = query.where(s.id == session_id)
        elif user_name is not None:
            query = query.where(s.user_name == user_name)
            if keep is not None:
                query = query.where(s.id != keep)
        else:
            raise ValueError("revoke_sessions needs session_id or user_name")
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            revoked = int(c.execute(query).rowcount)
            # Housekeeping: sessions past their end are of no use to anyone.
            c.execute(delete(schema.sessions).where(s.expires_at < utc_now() - timedelta(days=30)))
        return revoked

    def sessions(self, user_name: str | None = None) -> pd.DataFrame:
        """Sessions (newest first), optionally of one user."""
        s = schema.sessions.c
        query = select(*(s[k] for k in SESSION_COLUMNS)).order_by(s.created_at.desc())
        if user_name is not None:
            query = query.where(s.user_name == user_name)
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            return _frame(c.execute(query).all(), SESSION_COLUMNS)

    # -- failed sign-ins ------------------------------------------------------------------------------

    def add_login_failure(self, keys: list[str]) -> None:
        """Note one failed sign-in under each of ``keys`` (client address, account name)."""
        now = utc_now()
        with write_transaction(self.engine) as c:  # type: ignore[attr-defined]
            c.execute(insert(schema.login_failures), [{"key": k[:400], "at": now} for k in keys])

    def login_failures_since(self, keys: list[str], since: datetime) -> dict[str, list[datetime]]:
        """Times of failures after ``since`` per key (oldest first)."""
        f = schema.login_failures.c
        with self.engine.connect() as c:  # type: ignore[attr-defined]
            rows = c.execute(select(f.key, f.at).where(f.key.in_([k[:400] for k in keys]), f.at > since)
                             .order_by(f.at)).all()
        out: dict[str, list[datetime]] = {}
        for key, at in rows:
            out.setdefault(key, []).append(at)
        return out

    def clear_login_failures(self, keys: list[str], before: datetime | None = None) -> None:
        """Forget the failures of ``keys`` (and everyone's failures older than ``before``)."""
        f = schema.login_failures.c
        with write_transaction(self.engine) as c:  # type: ignore[attr-defined]
            if keys:
                c.execute(delete(schema.login_failures).where(f.key.in_([k[:400] for k in keys])))
            if before is not None:
                c.execute(delete(schema.login_failures).where(f.at < before))

    # -- API tokens -----------------------------------------------------------------------------------

    def add_token(self, name: str, token_hash: str, role: str, subtree: str | None, created_by: str,
                  conn: Connection | None = None, *, scope_grouping: str | None = None,
                  scope_group: str | None = None) -> int:
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            return c.execute(
                insert(schema.api_tokens).values(name=name, token_hash=token_hash, role=role, subtree=subtree,
                                                 created_by=created_by, created_at=utc_now(), revoked=False,
                                                 scope_grouping=scope_grouping, scope_group=scope_group)
                .returning(schema.api_tokens.c.id)
            ).scalar_one()

    def token_by_hash(self, token_hash: str) -> dict[str, Any] | None:
        t = schema.api_tokens.c
        with self.lookups.connect() as c:  # type: ignore[attr-defined]
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
                raise NotFound(_("no API token with id {id}", id=token_id))

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

    def claim_idempotency_key(self, key: str, actor: str, request_hash: str | None = None) -> dict[str, Any] | None:
        """Claim ``key`` for a submission whose content hashes to ``request_hash``. ``None`` when it is new
        (the caller goes ahead); otherwise the stored row (status ``pending`` or ``done`` with the JSON
        response of the first submission, and the first submission's ``request_hash``)."""
        try:
            with write_transaction(self.engine) as c:  # type: ignore[attr-defined]
                self.insert_idempotency_key(key, actor, request_hash, c)
            return None
        except IntegrityError:
            row = self.idempotency_key(key)
            if row is None:  # released between our insert and this read: try again once
                return self.claim_idempotency_key(key, actor, request_hash)
            return row

    def insert_idempotency_key(self, key: str, actor: str, request_hash: str | None, conn: Connection) -> None:
        """Claim ``key`` (status ``pending``) in the caller's transaction; ``IntegrityError`` when it is taken
        (on PostgreSQL after waiting for a concurrent claim of it to commit or roll back)."""
        conn.execute(insert(schema.idempotency_keys).values(key=key, actor=actor, created_at=utc_now(),
                                                            status="pending", request_hash=request_hash))

    def idempotency_key(self, key: str) -> dict[str, Any] | None:
        """The stored claim of ``key`` (see :meth:`claim_idempotency_key`), or ``None``."""
        k = schema.idempotency_keys.c
        with self.lookups.connect() as c:  # type: ignore[attr-defined]
            row = c.execute(select(k.key, k.actor, k.status, k.response, k.request_hash).where(k.key == key)).first()
        if row is None:
            return None
        return {"key": row[0], "actor": row[1], "status": row[2],
                "response": json.loads(row[3]) if row[3] else None, "request_hash": row[4]}

    def append_audit_and_answer(self, actor: str, source: str, action: str, obj: str, before: Any, after: Any,
                                key: str | None, response: dict[str, Any], conn: Connection) -> int:
        """:meth:`append_audit`, then (with ``key``) :meth:`finish_idempotency_key` with ``response`` and
        the new entry's id as its ``audit_id``, in ``conn``'s transaction; on PostgreSQL in one statement.
        Returns the entry's id."""
        if not key or conn.dialect.name != "postgresql":
            audit_id = self.append_audit(actor, source, action, obj, before, after, conn=conn)
            if key:
                self.finish_idempotency_key(key, {**response, "audit_id": audit_id}, conn=conn)
            return audit_id
        return conn.execute(_AUDIT_AND_ANSWER, {
            "at": utc_now(), "actor": actor[:400], "source": source[:400], "action": action[:64], "object": obj[:400],
            "before": None if before is None else json.dumps(before, default=str, sort_keys=True),
            "after": None if after is None else json.dumps(after, default=str, sort_keys=True),
            "key": key, "response": json.dumps({**response, "audit_id": None}, default=str)}).scalar_one()

    def finish_idempotency_key(self, key: str, response: Any, conn: Connection | None = None) -> None:
        with self._tx(conn) as c:  # type: ignore[attr-defined]
            c.execute(update(schema.idempotency_keys).where(schema.idempotency_keys.c.key == key)
                      .values(status="done", response=json.dumps(response, default=str)))

    def release_idempotency_key(self, key: str) -> None:
        """Forget a claim whose submission failed, so that a corrected retry can use the same key."""
        with write_transaction(self.engine) as c:  # type: ignore[attr-defined]
            c.execute(schema.idempotency_keys.delete().where(schema.idempotency_keys.c.key == key))

    # -- shared server state --------------------------------------------------------------------------

    def bump_generation(self, marker: str | None = None, conn: Connection | None = None) -> int:
        """Count one change of the data (for the caches of every server process); with ``marker`` also
        note that generation under it (a writer's read-your-writes). Returns the new generation.

        With ``conn``, in that transaction (the writer's own: the change and its generation commit
        together); call it last before the commit, since the counter's row stays locked until then."""
        if conn is not None:
            return _bump(conn, marker)
        with write_transaction(self.engine) as c:  # type: ignore[attr-defined]
            return _bump(c, marker)

    def generations(self, marker: str | None = None) -> tuple[int, int]:
        """``(data generation, generation noted under marker)``, 0 for unknown ones; one indexed read."""
        generation, mine, _ = self.generations_and_checks(marker)
        return generation, mine

    def generations_and_checks(self, marker: str | None = None) -> tuple[int, int, str]:
        """:meth:`generations` and the :meth:`checks_version`, in the same read."""
        m = schema.meta.c
        keys = ["data_generation", CHECKS_VERSION] + ([marker[:64]] if marker else [])
        with self.lookups.connect() as c:  # type: ignore[attr-defined]
            rows = dict(c.execute(select(m.key, m.value).where(m.key.in_(keys))).all())
        return (int(rows.get("data_generation", 0)), int(rows.get(marker[:64], 0)) if marker else 0,
                str(rows.get(CHECKS_VERSION) or ""))

    def checks_version(self, conn: Connection | None = None,
                       claim: tuple[str, str, str | None] | None = None) -> str:
        """The version of what the checks of a submission read besides the reports themselves (units,
        indicators, plans, sectors, validation rules, min-max bounds, approvals and locks, when data entry
        closes): a token that every write of those changes in its own transaction, whoever writes (a
        server process, the CLI). Caches of them are good while it stays the same; one indexed read.

        ``claim``: ``(key, actor, request_hash)``, an idempotency key to claim first in ``conn``'s
        transaction (:meth:`insert_idempotency_key`; on PostgreSQL in the same statement)."""
        query = select(schema.meta.c.value).where(schema.meta.c.key == CHECKS_VERSION)
        if claim is not None and conn is not None and conn.dialect.name == "postgresql":
            key, actor, request_hash = claim
            found = conn.execute(_CLAIM_AND_VERSION, {"key": key, "actor": actor, "at": utc_now(),
                                                      "hash": request_hash}).scalar_one_or_none()
            return str(found or "")
        if claim is not None and conn is not None:
            self.insert_idempotency_key(*claim, conn)
        if conn is not None:
            return str(conn.execute(query).scalar_one_or_none() or "")
        with self.lookups.connect() as c:  # type: ignore[attr-defined]
            return str(c.execute(query).scalar_one_or_none() or "")

    def set_checked_setting(self, key: str, value: str) -> None:
        """Set a meta value that submissions are checked against (e.g. when data entry closes) and change
        the checks version in the same transaction, so every server process's kept copy is renewed."""
        with write_transaction(self.engine) as c:  # type: ignore[attr-defined]
            _upsert_meta(c, key[:64], value)
            checks_changed(c)


CHECKS_VERSION = "checks_version"


def checks_changed(c: Connection) -> None:
    """Note, in the writer's transaction, that something the submission checks read has changed
    (see :meth:`AccountMixin.checks_version`); it is a change of the data too, which the server
    processes' snapshots follow (:meth:`AccountMixin.generations`), whoever made it."""
    _upsert_meta(c, CHECKS_VERSION, secrets.token_hex(8))
    _next_generation(c)


# PostgreSQL: an idempotency key's claim and the checks version in one statement (a taken key raises
# IntegrityError, after waiting for a concurrent claim of it to commit or roll back).
_CLAIM_AND_VERSION = text(
    "WITH k AS (INSERT INTO idempotency_keys (key, actor, created_at, status, request_hash) "
    "VALUES (:key, :actor, :at, 'pending', :hash)) "
    f"SELECT value FROM meta WHERE key = '{CHECKS_VERSION}'")
# PostgreSQL: an audit entry and the key's answer naming it, in one statement.
_AUDIT_AND_ANSWER = text(
    "WITH a AS (INSERT INTO audit_log (at, actor, source, action, object, before, after) "
    "VALUES (:at, :actor, :source, :action, :object, :before, :after) RETURNING id), "
    "k AS (UPDATE idempotency_keys SET status = 'done', "
    "response = CAST(jsonb_set(CAST(:response AS jsonb), '{audit_id}', to_jsonb((SELECT id FROM a))) AS TEXT) "
    "WHERE key = :key) "
    "SELECT id FROM a")
# PostgreSQL: the counter and the writer's marker in one statement (one round trip instead of two).
_BUMP_AND_MARK = text(
    "WITH g AS (UPDATE meta SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT) "
    "WHERE key = 'data_generation' RETURNING value) "
    "INSERT INTO meta (key, value) SELECT :marker, value FROM g "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value RETURNING value")


def _bump(c: Connection, marker: str | None) -> int:
    """Count one change of the data in ``c``'s transaction and note it under ``marker``; the new generation."""
    if marker and c.dialect.name == "postgresql":
        row = c.execute(_BUMP_AND_MARK, {"marker": marker[:64]}).first()
        if row is not None:
            return int(row[0])
    generation = _next_generation(c)  # SQLite, no marker, or the counter's first change
    if marker:
        _upsert_meta(c, marker[:64], str(generation))
    return generation


def _next_generation(c: Connection) -> int:
    """Count one change of the data in ``c``'s transaction; the new generation."""
    m = schema.meta.c
    bump = update(schema.meta).where(m.key == "data_generation").values(
        value=cast(cast(m.value, Integer) + 1, Text)).returning(m.value)
    row = c.execute(bump).first()
    if row is None:  # the first write ever: make the counter (another writer may make it meanwhile)
        _upsert_meta(c, "data_generation", "0", replace=False)
        row = c.execute(bump).first()
    return int(row[0])


def _upsert_meta(c: Connection, key: str, value: str, replace: bool = True) -> None:
    """Insert a meta row, or (``replace``) overwrite it, in one statement that concurrent writers cannot
    both fail (``INSERT ... ON CONFLICT`` on SQLite and PostgreSQL)."""
    if c.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    statement = dialect_insert(schema.meta).values(key=key, value=value)
    if replace:
        statement = statement.on_conflict_do_update(index_elements=["key"], set_={"value": value})
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["key"])
    c.execute(statement)
