"""The audit database: decisions (a hash chain), their per-service outcomes, tokens, and
the dictionaries decision texts are stored against.

``decisions``, ``decision_outcomes`` and ``text_dictionaries`` are append-only. The code
has no update or delete path for them, and a trigger created with each table refuses
UPDATE and DELETE (on SQLite and on PostgreSQL). On PostgreSQL,
:func:`allocator.service.pg.grant_service_role` also gives the service's role only INSERT
and SELECT on them.

``chain_head`` has one row: the sequence number and hash of the last decision. Appends
lock it (``SELECT ... FOR UPDATE``; SQLite serializes writers) so the chain cannot fork.

Examples:
    >>> sorted(metadata.tables)
    ['chain_head', 'decision_outcomes', 'decisions', 'text_dictionaries', 'tokens']
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    DDL,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    event,
)
from sqlalchemy.engine import Connection
from sqlalchemy.schema import BaseDDLElement, SchemaItem

from allocator.service.stored import StoredText

metadata = MetaData()

#: ``prev_hash`` of the first decision.
GENESIS = "0" * 64

decisions = Table(
    "decisions",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    ),
    Column("decision_id", String(36), nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
    Column("household_id", BigInteger, nullable=False),
    Column("neighborhood_id", BigInteger, nullable=False),
    Column("custodian", String(40), nullable=False),
    Column("ruleset_name", String(100), nullable=False),
    Column("ruleset_version", String(100), nullable=False),
    Column("ruleset_hash", String(64), nullable=False),
    Column("decision_date", String(10), nullable=False),
    Column("input_json", Text, nullable=False),
    # SQLite: stored as an LZ4 frame by the audit writer, read as text (service/stored.py)
    Column("output_json", StoredText, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ix_decisions_household", decisions.c.household_id, decisions.c.seq)

decision_outcomes = Table(
    "decision_outcomes",
    metadata,
    Column("seq", BigInteger, nullable=False),
    Column("service_id", String(100), nullable=False),
    Column("custodian", String(40), nullable=False),
    Column("eligible", Boolean, nullable=False),
    Column("tier", Integer, nullable=True),
)
# No index beside the rows: each decision writes one outcome row per service (19), and
# an index on (service_id, custodian) cost every append 19 index entries while the only
# reader, ``Store.stats`` (grouped by service, eligibility and tier), reads every row
# anyway. Without it the service recorded 6-16% more decisions a second (A/B, both
# databases, docs/notes/h16wal.md). A database made before keeps it until
# ``DROP INDEX ix_outcomes_service``.

chain_head = Table(
    "chain_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("agency", String(40), nullable=True),
    Column("name", String(200), nullable=False),
    Column("created_at", String(40), nullable=False),
)

#: The dictionaries decision texts are compressed against (``allocator.service.stored``),
#: found by the SHA-256 of their content. Not in the chain: a value read with a wrong or
#: missing dictionary gives a text whose hash the chain does not hold.
text_dictionaries = Table(
    "text_dictionaries",
    metadata,
    Column("digest", String(64), primary_key=True),
    Column("created_at", String(40), nullable=False),
    Column("content", LargeBinary, nullable=False),
)

APPEND_ONLY = ("decisions", "decision_outcomes", "text_dictionaries")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION allocator_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table %% is append-only: %% refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""


def _ddl(statement: str, dialect: str) -> DDL:
    ddl: DDL = DDL(statement)  # type: ignore[no-untyped-call]
    return ddl.execute_if(dialect=dialect)


def _install_triggers(name: str) -> None:
    table = metadata.tables[name]
    event.listen(table, "before_create", _ddl(_PG_FUNCTION, "postgresql"))
    event.listen(
        table,
        "after_create",
        _ddl(
            f"CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {name} "
            "FOR EACH STATEMENT EXECUTE FUNCTION allocator_refuse_change()",
            "postgresql",
        ),
    )
    for op in ("UPDATE", "DELETE"):
        event.listen(
            table,
            "after_create",
            _ddl(
                f"CREATE TRIGGER {name}_no_{op.lower()} BEFORE {op} ON {name} "
                f"BEGIN SELECT RAISE(ABORT, 'table {name} is append-only: {op} refused'); END",
                "sqlite",
            ),
        )


for _name in APPEND_ONLY:
    _install_triggers(_name)


def _has_lz4(
    ddl: BaseDDLElement,
    target: SchemaItem | str,
    bind: Connection | None,
    tables: list[Table] | None = None,
    state: Any | None = None,
    **kw: Any,
) -> bool:
    """Whether the PostgreSQL server compresses with lz4 (14 and later, built with it)."""
    if bind is None:
        return False
    found = bind.exec_driver_sql(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    ).scalar()
    return bool(found)


# A decision's texts that PostgreSQL stores as they come (the household's input, about
# 1 KB; an output text on a database whose column is still ``text``, 40-70 KB) are
# compressed by the server (TOAST), by default with pglz, on the CPU the service's workers
# share: lz4 costs a fraction of it (benchmarks/service.py, A/B: 916 and 917 decisions/s
# against 847 and 834). Columns of tables created before keep pglz until ``ALTER TABLE
# decisions ALTER COLUMN input_json SET COMPRESSION lz4`` (values already stored stay as
# they are). The output the service packs itself (``allocator.service.stored``).
_LZ4: DDL = DDL(  # type: ignore[no-untyped-call]
    "ALTER TABLE decisions ALTER COLUMN input_json SET COMPRESSION lz4, "
    "ALTER COLUMN output_json SET COMPRESSION lz4"
)
event.listen(decisions, "after_create", _LZ4.execute_if(dialect="postgresql", callable_=_has_lz4))
