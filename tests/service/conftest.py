"""Fixtures of the service tests: an app on SQLite (and on PostgreSQL when there is one),
tokens for each role, and households in a chosen agency's custody."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from allocator.domain.enums import CUSTODIANS
from allocator.reference import default_registry
from allocator.service import Settings, create_app
from allocator.service.pg import init_database
from allocator.service.state import ServiceState
from allocator.service.store import Store
from allocator.service.tokens import create_token

PG_URL = os.environ.get("ALLOCATOR_TEST_POSTGRES_URL", "")
PG_SERVICE_URL = os.environ.get("ALLOCATOR_TEST_POSTGRES_SERVICE_URL", "")
PG_SERVICE_ROLE = os.environ.get("ALLOCATOR_TEST_POSTGRES_SERVICE_ROLE", "")
DAY = "2025-06-01"
AGENCIES = [a.value for a in CUSTODIANS]


def neighborhood_of(agency: str, nth: int = 0) -> int:
    """The id of the ``nth`` neighborhood in ``agency``'s custody."""
    ids = [n.neighborhood_id for n in default_registry() if n.custodian.value == agency]
    return ids[nth]


def household(
    agency: str = "welfare_organization", household_id: int = 1001, **extra: Any
) -> dict[str, Any]:
    """A poor family of four in a neighborhood in ``agency``'s custody."""
    data: dict[str, Any] = {
        "household_id": household_id,
        "neighborhood_id": neighborhood_of(agency),
        "income": 6_000_000,
        "assets": 150_000_000,
        "housing": "tenant",
        "members": [
            {"age": 34, "sex": "female", "relation": "head"},
            {"age": 12, "sex": "male", "relation": "child", "street_child": True},
            {
                "age": 4,
                "sex": "female",
                "relation": "child",
                "disability_type": "hearing",
                "disability_severity": "moderate",
            },
        ],
    }
    data.update(extra)
    return data


def with_search_path(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


class Service:
    """A running app with its client, state and one token per role."""

    def __init__(
        self, client: TestClient, state: ServiceState, tokens: dict[str, str], owner_url: str
    ) -> None:
        self.client = client
        self.state = state
        self.tokens = tokens
        self.owner_url = owner_url

    def __repr__(self) -> str:
        return f"Service({self.state.store.url!r})"

    def auth(self, who: str = "welfare_organization") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def rows(self) -> int:
        return self.state.store.count()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(owner URL, service URL) of an empty database: an SQLite file, or a fresh schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'audit.sqlite'}"
        yield url, url
        return
    if not (PG_URL and PG_SERVICE_URL and PG_SERVICE_ROLE):
        pytest.skip("ALLOCATOR_TEST_POSTGRES_URL (and _SERVICE_URL, _SERVICE_ROLE) not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    owner = with_search_path(PG_URL, schema)
    init_database(owner, PG_SERVICE_ROLE).dispose()
    try:
        yield owner, with_search_path(PG_SERVICE_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def make_service(db_urls: tuple[str, str]) -> Iterator[Callable[..., Service]]:
    """Build a service on the test database; keyword arguments change its Settings."""
    owner_url, service_url = db_urls
    made: list[Service] = []

    def make(**changes: Any) -> Service:
        settings = replace(
            Settings(db_url=service_url, rate_per_second=1000, burst=1000), **changes
        )
        app = create_app(settings)
        state: ServiceState = app.state.service
        # Tokens are created by an administrator, with the owner's rights.
        admin = Store(owner_url)
        tokens = {a: create_token(admin, role="agency", agency=a) for a in AGENCIES}
        tokens["planner"] = create_token(admin, role="planner", name="planning office")
        admin.dispose()
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        service = Service(client, state, tokens, owner_url)
        made.append(service)
        return service

    yield make
    for service in made:
        service.client.__exit__(None, None, None)


@pytest.fixture
def service(make_service: Callable[..., Service]) -> Service:
    return make_service()
