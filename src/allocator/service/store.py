"""The audit store: append decisions to the hash chain, read them back, count outcomes.

SQLite (the default, a file) or PostgreSQL (``postgresql+psycopg://...``), through
SQLAlchemy 2 Core. There is no update or delete of decisions anywhere in this module.

Examples:
    >>> store = Store("sqlite://")
    >>> store.create_tables()
    >>> row = store.append(NewDecision("d-1", 7, 7, "welfare_organization",
    ...     {"ruleset": "national", "version": "1", "hash": "h"}, "2025-06-01",
    ...     {"household_id": 7}, {"services": []}, []))
    >>> row["seq"], row["prev_hash"] == GENESIS, store.verify().ok
    (1, True, True)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, insert, inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from allocator.service.appender import OUTPUT_COLUMN_TYPE, Appender, head_problem
from allocator.service.chain import (
    ChainReport,
    canonical_json,
    content_prefix_bytes,
    verify_rows,
)
from allocator.service.stored import TextDictionary, add_loader, register, remove_loader
from allocator.service.tables import (
    GENESIS,
    chain_head,
    decision_outcomes,
    decisions,
    metadata,
    text_dictionaries,
)
from allocator.service.write_lock import AppendLock

#: Row of ``decisions`` as a plain dict.
Row = dict[str, Any]
#: Seconds to wait for a PostgreSQL connection (unless the URL sets ``connect_timeout``).
CONNECT_TIMEOUT = 5
#: Tables the service works without (made by ``allocator db init`` of later versions).
OPTIONAL_TABLES = {"text_dictionaries"}

log = logging.getLogger("allocator.service")


@dataclass(frozen=True)
class NewDecision:
    """A decision to record; ``outcomes`` is ``(service_id, eligible, tier)`` per service."""

    decision_id: str
    household_id: int
    neighborhood_id: int
    custodian: str
    ruleset: dict[str, str]
    decision_date: str
    input: dict[str, Any] | str
    output: dict[str, Any] | str
    outcomes: list[tuple[str, bool, int | None]]


@dataclass(frozen=True)
class Prepared:
    """A decision's row before it is linked: everything but ``seq`` and the hashes.

    ``prefix`` is the UTF-8 of the row's :func:`~allocator.service.chain.content_prefix`,
    written here, outside the chain's lock.
    """

    row: Row
    prefix: bytes
    custodian: str
    outcomes: list[tuple[str, bool, int | None]]
    #: What is stored for ``output_json`` when it is not the text (packed against a
    #: dictionary, :mod:`allocator.service.stored`).
    stored_output: bytes | None = None


def _text(value: dict[str, Any] | str) -> str:
    return value if isinstance(value, str) else canonical_json(value)


def prepare(new: NewDecision, stored_output: bytes | None = None) -> Prepared:
    """Serialize a decision (the costly part of an append), outside the chain's lock;
    ``stored_output``: what to store for its output text, if not the text."""
    row: Row = {
        "decision_id": new.decision_id,
        "created_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "household_id": new.household_id,
        "neighborhood_id": new.neighborhood_id,
        "custodian": new.custodian,
        "ruleset_name": new.ruleset["ruleset"],
        "ruleset_version": new.ruleset["version"],
        "ruleset_hash": new.ruleset["hash"],
        "decision_date": new.decision_date,
        "input_json": _text(new.input),
        "output_json": _text(new.output),
    }
    return Prepared(row, content_prefix_bytes(row), new.custodian, new.outcomes, stored_output)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and explicit BEGINs."""
    parsed: URL = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # A bounded connect: an unreachable server gives an error (503) in seconds, not minutes.
        timeout = {} if "connect_timeout" in parsed.query else {"connect_timeout": CONNECT_TIMEOUT}
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
            hide_parameters=True,
            connect_args=timeout,
        )
    memory = parsed.database in (None, "", ":memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        hide_parameters=True,  # errors must not quote household data into logs
        poolclass=StaticPool if memory else None,
    )

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        if not memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL: each commit is synced to disk before the request is answered.
            cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def _loads(row: Any) -> Row:
    return dict(row._mapping)


class Store:
    """Decisions and their chain in one database."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name
        # SQLite: the writers of every process queue here rather than in SQLite's sleeping
        # busy handler (PostgreSQL queues them on the head row's lock, without sleeping).
        database = make_url(url).database if self.dialect == "sqlite" else None
        self._append_lock = AppendLock.for_database(database)
        self._appender = Appender(self.engine, self._append_lock)
        add_loader(self.engine.dialect, self._dictionary_content)

    def stores_packed(self) -> bool:
        """Whether ``output_json`` can hold packed texts (:mod:`.stored`): on SQLite, and
        on PostgreSQL where the column is ``bytea`` (databases made before keep ``text``
        until ``ALTER TABLE decisions ALTER COLUMN output_json TYPE bytea USING
        convert_to(output_json, 'UTF8')``)."""
        if self.dialect == "sqlite":
            return True
        with self.engine.connect() as conn:
            return bool(conn.exec_driver_sql(OUTPUT_COLUMN_TYPE).scalar() == "bytea")

    def text_dictionary(self, sample: bytes) -> TextDictionary | None:
        """The dictionary of ``sample`` (texts alike those to be stored), recorded in the
        database if it is not yet, and known to this process; None where the database
        cannot store packed texts (then the texts are stored as they are)."""
        if not sample or not self.stores_packed():
            return None
        dictionary = TextDictionary(sample)
        table = text_dictionaries
        values = {
            "digest": dictionary.hexdigest,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "content": sample,
        }
        # Several workers start with the same ruleset, so the same dictionary: the first
        # one records it, the others find it there.
        statement = (
            pg_insert(table).values(values).on_conflict_do_nothing()
            if self.dialect == "postgresql"
            else sqlite_insert(table).values(values).on_conflict_do_nothing()
        )
        with self.engine.begin() as conn:
            conn.execute(statement)
        register(dictionary)
        return dictionary

    def _dictionary_content(self, digest: bytes) -> bytes | None:
        """The content of the recorded dictionary whose SHA-256 is ``digest``."""
        query = select(text_dictionaries.c.content).where(
            text_dictionaries.c.digest == digest.hex()
        )
        try:
            with self.engine.connect() as conn:
                found = conn.execute(query).scalar()
        except SQLAlchemyError:  # no such table (a database made before), or unreachable
            return None
        return None if found is None else bytes(found)

    def create_tables(self) -> None:
        """Create missing tables (with their append-only triggers) and the chain head.

        A PostgreSQL database made by an earlier version lacks ``text_dictionaries``,
        which the service's role may not create: the service then starts all the same
        and stores decision texts as they are (a warning says to run ``allocator db
        init`` as the schema's owner)."""
        try:
            with self.engine.begin() as conn:
                metadata.create_all(conn, checkfirst=True)
        except DBAPIError:
            missing = set(metadata.tables) - set(inspect(self.engine).get_table_names())
            if not missing or not missing <= OPTIONAL_TABLES:
                raise
            log.warning(
                "table %s is missing and this role may not create it: decision texts are "
                "stored as they are (run `allocator db init` as the schema's owner)",
                ", ".join(sorted(missing)),
            )
        with self.engine.begin() as conn:
            if conn.execute(select(chain_head.c.id)).first() is None:
                conn.execute(insert(chain_head).values(id=1, seq=0, hash=GENESIS))

    def ping(self) -> None:
        """Raise if the database cannot be read."""
        with self.engine.connect() as conn:
            conn.execute(select(chain_head.c.seq)).one()

    def append(self, new: NewDecision | Prepared) -> Row:
        """Record ``new`` as the next link of the chain; returns the stored row."""
        return self.append_batch([new])[0]

    def append_batch(self, batch: Iterable[NewDecision | Prepared]) -> list[Row]:
        """Record ``batch`` as the next links of the chain, in one transaction.

        ``batch`` is read once the chain is locked (an iterator may still be growing).

        The chain head is locked for the transaction (``FOR UPDATE`` on PostgreSQL,
        ``BEGIN IMMEDIATE`` on SQLite), so concurrent appends queue instead of forking.

        Raises:
            ChainBroken: the head row is missing or does not match the last decision.
        """
        return self._appender.append(p if isinstance(p, Prepared) else prepare(p) for p in batch)

    def check_head(self) -> str:
        """What is wrong with the chain head ('' when it matches the last decision)."""
        with self.engine.connect() as conn:
            head = conn.execute(select(chain_head.c.seq, chain_head.c.hash)).first()
            last = conn.execute(
                select(decisions.c.seq, decisions.c.hash).order_by(decisions.c.seq.desc()).limit(1)
            ).first()
        return head_problem(
            None if head is None else (int(head.seq), str(head.hash)),
            None if last is None else (int(last.seq), str(last.hash)),
        )

    def get(self, decision_id: str) -> Row | None:
        """The decision row with this id, or ``None``."""
        with self.engine.connect() as conn:
            found = conn.execute(
                select(decisions).where(decisions.c.decision_id == decision_id)
            ).first()
        return _loads(found) if found is not None else None

    def for_household(self, household_id: int, custodian: str | None, limit: int) -> list[Row]:
        """A household's decisions, newest first (only ``custodian``'s, when given)."""
        query = select(decisions).where(decisions.c.household_id == household_id)
        if custodian is not None:
            query = query.where(decisions.c.custodian == custodian)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(decisions.c.seq.desc()).limit(limit)).all()
        return [_loads(r) for r in rows]

    def count(self) -> int:
        """How many decisions are recorded."""
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(decisions)).scalar_one())

    def stats(self, custodian: str | None) -> tuple[int, list[tuple[str, bool, int | None, int]]]:
        """Decision count and ``(service_id, eligible, tier, count)`` groups."""
        o = decision_outcomes.c
        groups = select(o.service_id, o.eligible, o.tier, func.count()).group_by(
            o.service_id, o.eligible, o.tier
        )
        total = select(func.count()).select_from(decisions)
        if custodian is not None:
            groups = groups.where(o.custodian == custodian)
            total = total.where(decisions.c.custodian == custodian)
        with self.engine.connect() as conn:
            n = int(conn.execute(total).scalar_one())
            rows = conn.execute(groups.order_by(o.service_id, o.eligible, o.tier)).all()
        return n, [(r[0], bool(r[1]), r[2], int(r[3])) for r in rows]

    def iter_chain(self, batch: int = 1000) -> Iterator[Row]:
        """Every decision row in chain order, read in batches."""
        last = 0
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(decisions)
                    .where(decisions.c.seq > last)
                    .order_by(decisions.c.seq)
                    .limit(batch)
                ).all()
            if not rows:
                return
            for r in rows:
                yield _loads(r)
            last = int(rows[-1].seq)

    def verify(self) -> ChainReport:
        """Walk the whole chain and report the first broken link."""
        with self.engine.connect() as conn:
            head = conn.execute(select(chain_head.c.seq, chain_head.c.hash)).first()
        if head is None:
            return ChainReport(0, 0, None, "the chain_head row is missing")
        return verify_rows(self.iter_chain(), (int(head[0]), head[1]))

    def dispose(self) -> None:
        remove_loader(self.engine.dialect)
        self._appender.close()
        self.engine.dispose()
        self._append_lock.close()


def decode(row: Row) -> tuple[dict[str, Any], dict[str, Any]]:
    """The input household and output decision of a stored row, as JSON data."""
    return json.loads(row["input_json"]), json.loads(row["output_json"])
