"""PostgreSQL set-up: tables, append-only triggers, and a service role that can only append.

``allocator db init --db URL --service-role NAME`` runs :func:`init_database` as the owner
of the schema. The service then connects as ``NAME``, which may INSERT and SELECT decisions
but never UPDATE or DELETE them (and the triggers refuse that even to the owner).
"""

from __future__ import annotations

from sqlalchemy import text

from allocator.errors import InputError
from allocator.service.store import Store

#: What the service role may do, table by table.
SERVICE_GRANTS = {
    "decisions": "SELECT, INSERT",
    "decision_outcomes": "SELECT, INSERT",
    "chain_head": "SELECT, UPDATE",
    "tokens": "SELECT",
    "text_dictionaries": "SELECT, INSERT",
}


def grant_service_role(store: Store, role: str) -> None:
    """Give ``role`` exactly :data:`SERVICE_GRANTS` on the tables of the current schema.

    Raises:
        InputError: the database is not PostgreSQL, or the role does not exist.
    """
    if store.dialect != "postgresql":
        raise InputError("--service-role: roles exist on PostgreSQL only", field="service_role")
    with store.engine.begin() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
        ).first()
        if exists is None:
            raise InputError(f"--service-role: no role named {role!r}", field="service_role")
        quote = conn.dialect.identifier_preparer.quote
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        conn.execute(text(f"GRANT USAGE ON SCHEMA {quote(schema)} TO {quote(role)}"))
        for table, privileges in SERVICE_GRANTS.items():
            conn.execute(text(f"REVOKE ALL ON {table} FROM PUBLIC, {quote(role)}"))
            conn.execute(text(f"GRANT {privileges} ON {table} TO {quote(role)}"))


def init_database(url: str, service_role: str | None = None) -> Store:
    """Create the tables (and triggers) at ``url``; grant ``service_role`` if given."""
    store = Store(url)
    try:
        store.create_tables()
        if service_role:
            grant_service_role(store, service_role)
    except BaseException:
        store.dispose()
        raise
    return store
