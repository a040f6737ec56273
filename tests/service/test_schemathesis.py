"""A bounded schemathesis run over the whole API: every check, positive data acceptance
included (a request the OpenAPI document allows must not be refused with 422)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from allocator.service import Settings, create_app  # noqa: E402
from allocator.service.tokens import create_token  # noqa: E402


def _app(tmp: Path) -> tuple[Any, str]:
    application = create_app(
        Settings(
            db_url=f"sqlite:///{tmp / 'schemathesis.sqlite'}",
            rate_per_second=1e6,
            burst=10**6,
            auth_failures_per_minute=10**6,
        )
    )
    token = create_token(
        application.state.service.store, role="agency", agency="welfare_organization"
    )
    return application, token


_TMP = Path(__import__("tempfile").mkdtemp(prefix="allocator-schemathesis-"))
APP, TOKEN = _app(_TMP)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_keeps_its_schema(case: Any) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"})
