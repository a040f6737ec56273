"""Linking decisions into the chain: the audit writer's hot path, on one open connection.

Every recorded decision passes here, so the append speaks to the database driver (DBAPI)
directly, on one connection kept open between batches and with statements written once:
through SQLAlchemy's connection checkout, events and statement compilation, a batch cost
about 0.5 ms more CPU than the same statements on the driver (``docs/notes/h16writer.md``).
What it does is unchanged: under the append lock, lock the chain head (``BEGIN
IMMEDIATE`` on SQLite, ``SELECT ... FOR UPDATE`` on PostgreSQL), check it against the last
decision, link and insert the batch with its outcome rows, move the head, commit.

A connection that fails is dropped (its transaction rolled back where possible) and the
next batch opens a new one, so a restarted database server costs the batch that found it
gone, not the service.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from allocator.service.chain import hash_from_prefix
from allocator.service.tables import GENESIS, chain_head, decision_outcomes, decisions
from allocator.service.wal import FALLBACK_PAGES, WalCopier
from allocator.service.write_lock import AppendLock

#: Row of ``decisions`` as a plain dict.
Row = dict[str, Any]
#: ``(service_id, eligible, tier)`` of one service of a decision.
Outcome = tuple[str, bool, int | None]


class ChainBroken(Exception):
    """The chain head is missing or does not match the last decision: nothing is appended."""


class Linkable(Protocol):
    """A prepared decision (:class:`allocator.service.store.Prepared`)."""

    @property
    def row(self) -> Row: ...
    @property
    def prefix(self) -> bytes: ...
    @property
    def custodian(self) -> str: ...
    @property
    def outcomes(self) -> list[Outcome]: ...
    @property
    def stored_output(self) -> bytes | None: ...


def head_problem(head: tuple[int, str] | None, last: tuple[int, str] | None) -> str:
    """Why the head ``(seq, hash)`` does not fit the last decision row ('' if it does).

    Examples:
        >>> head_problem((0, GENESIS), None), head_problem(None, None)
        ('', 'the chain_head row is missing')
        >>> head_problem((0, GENESIS), (3, "ab"))
        'the chain head (seq 0) does not match the last decision (seq 3)'
    """
    if head is None:
        return "the chain_head row is missing"
    if last is None:
        return "" if head == (0, GENESIS) else f"the chain head (seq {head[0]}) has no decision"
    if head != last:
        return f"the chain head (seq {head[0]}) does not match the last decision (seq {last[0]})"
    return ""


def _psycopg_pipelines(engine: Engine) -> bool:
    """Whether ``engine``'s driver is psycopg (3) with pipeline mode available."""
    if engine.dialect.driver != "psycopg":
        return False
    pipeline = getattr(engine.dialect.loaded_dbapi, "Pipeline", None)
    return bool(pipeline is not None and pipeline.is_supported())


#: The type of ``decisions.output_json`` in the current schema (PostgreSQL).
OUTPUT_COLUMN_TYPE = (
    "SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema() "
    "AND table_name = 'decisions' AND column_name = 'output_json'"
)


def output_holds_bytes(cursor: Any) -> bool:
    """Whether a PostgreSQL database's ``output_json`` is ``bytea`` (databases made before
    the service packed its texts there keep ``text``, and take text)."""
    cursor.execute(OUTPUT_COLUMN_TYPE)
    found = cursor.fetchone()
    return found is not None and found[0] == "bytea"


def _pair(found: Any) -> tuple[int, str] | None:
    return None if found is None else (int(found[0]), str(found[1]))


class Appender:
    """Appends batches of prepared decisions to the chain of ``engine``'s database."""

    def __init__(self, engine: Engine, lock: AppendLock) -> None:
        self.engine = engine
        self.lock = lock
        self.sqlite = engine.dialect.name == "sqlite"
        self.memory = self.sqlite and engine.url.database in (None, "", ":memory:")
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self.columns = [c.name for c in decisions.columns]
        self.output_at = self.columns.index("output_json")
        self._size = 0  # bytes of text the last batch stored, about
        self.insert_decisions = (
            f"INSERT INTO {decisions.fullname} ({', '.join(self.columns)}) "
            f"VALUES ({', '.join([mark] * len(self.columns))})"
        )
        self.insert_outcomes = (
            f"INSERT INTO {decision_outcomes.fullname} "
            "(seq, service_id, custodian, eligible, tier) "
            f"VALUES ({', '.join([mark] * 5)})"
        )
        # PostgreSQL: the batch's outcome rows in one statement of five arrays (the same
        # text whatever the batch's size, so prepared once): one execution in the server
        # instead of one per row.
        self.insert_outcome_arrays = (
            f"INSERT INTO {decision_outcomes.fullname} "
            "(seq, service_id, custodian, eligible, tier) SELECT * FROM "
            "unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::boolean[], %s::integer[])"
        )
        lock_head = "" if self.sqlite else " FOR UPDATE"  # SQLite: BEGIN IMMEDIATE locks
        # Two statements, never one: on PostgreSQL a statement that waits for the head's
        # lock re-reads the head row when it gets it, but its subqueries keep the snapshot
        # taken before the wait, so one statement read the new head beside the old last
        # decision (a chain "broken" whenever two processes appended at once). The second
        # statement's snapshot is taken once the lock is held. With pipelines both go in
        # one round trip.
        self.read_head = f"SELECT seq, hash FROM {chain_head.fullname} WHERE id = 1{lock_head}"
        self.read_last = f"SELECT seq, hash FROM {decisions.fullname} ORDER BY seq DESC LIMIT 1"
        self.move_head = (
            f"UPDATE {chain_head.fullname} SET seq = {mark}, hash = {mark} WHERE id = 1"
        )
        self._connection: Any = None  # SQLAlchemy's pool proxy of the driver's connection
        # PostgreSQL: whether output_json is bytea (then a text is sent as its UTF-8:
        # sent as text, the server would read its backslashes as bytea escapes). Read
        # with each new connection.
        self.output_bytes = False
        self.pipelines = not self.sqlite and _psycopg_pipelines(engine)
        # A SQLite file: its log is copied into it by a thread of its own, not by commits.
        file = self.sqlite and not self.memory
        self.wal = WalCopier(engine.raw_connection, lock) if file else None

    def append(self, ready: Iterable[Linkable]) -> list[Row]:
        """Link and insert ``ready`` in one transaction; returns the stored rows.

        Raises:
            ChainBroken: the head row is missing or does not match the last decision.
        """
        with self.lock:
            connection = self._connection
            cursor = None
            try:
                if connection is None:  # the pool's checkout raises the driver's errors
                    connection = self._connection = self._open()
                cursor = connection.cursor()
                with self._together(connection):
                    rows = self._link(connection, cursor, ready)
                    if self.sqlite:
                        cursor.execute("COMMIT")
                    else:
                        connection.commit()
                cursor.close()
                if self.wal is not None:
                    self.wal.written(self._size)
                return rows
            except BaseException as exc:
                dbapi = self.engine.dialect.loaded_dbapi
                if not isinstance(exc, dbapi.Error):
                    self._abandon(connection, cursor, gone=False)
                    raise
                # A connection the server dropped (or one that cannot roll back) is gone;
                # an in-memory SQLite database lives in its one connection and is kept.
                lost = isinstance(exc, dbapi.OperationalError | dbapi.InterfaceError)
                gone = self._abandon(connection, cursor, gone=lost and not self.memory)
                # As SQLAlchemy raises it: the service answers 503 to those that say so.
                raise DBAPIError.instance(
                    None,
                    None,
                    exc,
                    dbapi.Error,
                    hide_parameters=True,
                    connection_invalidated=gone,
                    dialect=self.engine.dialect,
                ) from exc

    def _open(self) -> Any:
        connection = self.engine.raw_connection()
        if not self.sqlite:
            cursor = connection.cursor()
            self.output_bytes = output_holds_bytes(cursor)
            cursor.close()
            connection.commit()
        if self.wal is not None:  # the copier's work; commits copy the log only past this
            cursor = connection.cursor()
            cursor.execute(f"PRAGMA wal_autocheckpoint={FALLBACK_PAGES}")
            cursor.close()
        return connection

    def _link(self, connection: Any, cursor: Any, ready: Iterable[Linkable]) -> list[Row]:
        if self.sqlite:
            cursor.execute("BEGIN IMMEDIATE")
        cursor.execute(self.read_head)
        after = connection.cursor()  # queued behind the lock's statement in a pipeline
        after.execute(self.read_last)
        head = _pair(cursor.fetchone())
        last = _pair(after.fetchone())
        after.close()
        if reason := head_problem(head, last):
            raise ChainBroken(reason)
        assert head is not None  # head_problem says so when it is missing
        seq, prev = head
        rows: list[Row] = []
        outcomes: list[tuple[int, str, str, bool, int | None]] = []
        values: list[list[Any]] = []  # as stored: the output text packed (.stored)
        size = 0  # about what is written (the log copier's estimate)
        for p in ready:
            seq += 1
            digest = hash_from_prefix(prev, p.prefix, seq)
            row = p.row | {"seq": seq, "prev_hash": prev, "hash": digest}
            rows.append(row)
            value = [row[c] for c in self.columns]
            if p.stored_output is not None:
                value[self.output_at] = p.stored_output
            elif self.output_bytes:
                value[self.output_at] = value[self.output_at].encode("utf-8")
            values.append(value)
            size += len(value[self.output_at]) + len(row["input_json"])
            prev = digest
            outcomes.extend((seq, s, p.custodian, ok, tier) for s, ok, tier in p.outcomes)
        self._size = size
        cursor.executemany(self.insert_decisions, values)
        if outcomes and self.sqlite:
            cursor.executemany(self.insert_outcomes, outcomes)
        elif outcomes:
            arrays: list[list[Any]] = [list(c) for c in zip(*outcomes, strict=True)]
            cursor.execute(self.insert_outcome_arrays, arrays)
        cursor.execute(self.move_head, (seq, prev))
        return rows

    def _together(self, connection: Any) -> contextlib.AbstractContextManager[Any]:
        """On PostgreSQL (psycopg with a libpq that has pipelines), the transaction's
        statements are sent without waiting for each answer: one round trip for the
        head's read, one for every write and the commit, instead of one each. SQLite
        has no round trips to save."""
        if not self.pipelines:
            return contextlib.nullcontext()
        pipeline: contextlib.AbstractContextManager[Any] = connection.driver_connection.pipeline()
        return pipeline

    def _abandon(self, connection: Any, cursor: Any, gone: bool) -> bool:
        """Roll back; a connection that is gone (or cannot roll back) is dropped.
        Returns whether it was."""
        if connection is None:  # it could not be opened
            return True
        if not gone:
            try:
                if self.sqlite:
                    if connection.dbapi_connection.in_transaction:
                        connection.dbapi_connection.execute("ROLLBACK")
                else:
                    connection.rollback()
                if cursor is not None:
                    cursor.close()
            except Exception:
                gone = True
        if gone:
            self._connection = None
            with contextlib.suppress(Exception):  # already gone
                connection.invalidate()
        return gone

    def close(self) -> None:
        """Give the connection back (the next append opens another)."""
        if self.wal is not None:
            self.wal.close()
        with self.lock:
            connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
