"""How one service process is configured: database, rules, limits.

Examples:
    >>> s = Settings(db_url="data/audit.sqlite")
    >>> s.database_url()
    'sqlite:///data/audit.sqlite'
    >>> Settings(db_url="postgresql+psycopg://svc@db/allocator").database_url()
    'postgresql+psycopg://svc@db/allocator'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from allocator.domain.neighborhood import NeighborhoodRegistry

#: The database used when none is given: an SQLite file in the working directory.
DEFAULT_DB = "./allocator.sqlite"
#: Largest request body accepted, in bytes (64 KiB: a household of 30 members is ~5 KiB).
MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class Settings:
    """Configuration of :func:`allocator.service.create_app`.

    Attributes:
        db_url: an SQLAlchemy URL, or a plain file path meaning an SQLite file.
        rules_dir: the ruleset directory (``None``: the shipped national ruleset).
        registry: the neighborhoods households are checked against (``None``: the default).
        max_body_bytes: requests with a larger body get 413.
        rate_per_second: tokens refilled per second in each bearer token's bucket.
        burst: size of each bucket; a request when it is empty gets 429.
        create_tables: create missing tables on start (harmless when they exist).
        body_timeout: seconds within which a request body must arrive (else 408).
        auth_failures_per_minute: failed authentications allowed per client address
            (after a burst of as many), then 429.
        checkpoint_dir: where signed checkpoints are (``GET /v1/decisions/{id}/proof``).
        engine: the explaining backend that decides (``python``, the rule model evaluated
            in Python; ``durable``, durable-rules: the same decisions, with more CPU time).
    """

    db_url: str = DEFAULT_DB
    rules_dir: Path | None = None
    registry: NeighborhoodRegistry | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    rate_per_second: float = 20.0
    burst: int = 40
    create_tables: bool = True
    body_timeout: float = 10.0
    auth_failures_per_minute: int = 10
    checkpoint_dir: Path | None = None
    engine: str = "python"

    def database_url(self) -> str:
        """The SQLAlchemy URL of the database (a bare path becomes ``sqlite:///path``)."""
        if "://" in self.db_url:
            return self.db_url
        return f"sqlite:///{self.db_url}"
