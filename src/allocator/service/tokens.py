"""Bearer tokens: created once, shown once, stored only as their SHA-256.

An ``agency`` token acts for one of the four custodian agencies; a ``planner`` token reads
aggregates only.

Examples:
    >>> from allocator.service.store import Store
    >>> store = Store("sqlite://"); store.create_tables()
    >>> secret = create_token(store, role="agency", agency="imam_order", name="desk 1")
    >>> secret.startswith("alc_"), find_principal(store, secret)
    (True, Principal(role='agency', agency='imam_order', name='desk 1', key='...'))
    >>> find_principal(store, "alc_wrong") is None
    True
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import delete, insert, select

from allocator.domain.enums import CUSTODIANS
from allocator.errors import InputError
from allocator.service.store import Store
from allocator.service.tables import tokens

Role = Literal["agency", "planner"]
ROLES: tuple[Role, ...] = ("agency", "planner")


@dataclass(frozen=True)
class Principal:
    """Who a request acts for; ``key`` is the token's hash (used for rate limiting)."""

    role: Role
    agency: str | None
    name: str
    key: str

    def __repr__(self) -> str:
        return (
            f"Principal(role={self.role!r}, agency={self.agency!r}, name={self.name!r}, key='...')"
        )


def token_hash(secret: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(store: Store, *, role: str, agency: str | None = None, name: str = "") -> str:
    """Store a new token and return its secret (the only time it is seen).

    Raises:
        InputError: an unknown role, or an agency that is not a custodian.
    """
    if role not in ROLES:
        raise InputError(f"role: must be one of {list(ROLES)}, not {role!r}", field="role")
    custodians = [a.value for a in CUSTODIANS]
    if role == "agency" and agency not in custodians:
        raise InputError(f"agency: must be one of {custodians}, not {agency!r}", field="agency")
    if role == "planner":
        agency = None
    secret = "alc_" + secrets.token_urlsafe(32)
    with store.engine.begin() as conn:
        conn.execute(
            insert(tokens).values(
                token_hash=token_hash(secret),
                role=role,
                agency=agency,
                name=name or f"{agency or role} token",
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            )
        )
    return secret


def find_principal(store: Store, secret: str) -> Principal | None:
    """The principal of a presented token, or ``None`` if it is unknown."""
    key = token_hash(secret)
    with store.engine.connect() as conn:
        row = conn.execute(
            select(tokens.c.role, tokens.c.agency, tokens.c.name).where(tokens.c.token_hash == key)
        ).first()
    if row is None or row.role not in ROLES:
        return None
    role: Role = "agency" if row.role == "agency" else "planner"
    return Principal(role=role, agency=row.agency, name=row.name, key=key)


def revoke_tokens(store: Store, *, secret: str | None = None, name: str | None = None) -> int:
    """Delete the token ``secret``, or every token named ``name``; how many went.

    A running service stops accepting them once its token cache expires
    (:data:`allocator.service.state.TOKEN_CACHE_SECONDS`).
    """
    query = delete(tokens)
    if secret is not None:
        query = query.where(tokens.c.token_hash == token_hash(secret))
    elif name is not None:
        query = query.where(tokens.c.name == name)
    else:
        raise InputError("give a token or a name to revoke", field="token")
    with store.engine.begin() as conn:
        return int(conn.execute(query).rowcount)
