"""PostgreSQL only: the service's role can append and read, never change or delete."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from allocator.service.store import Store
from allocator.service.stored import DICT_MAGIC
from tests.service.conftest import DAY, Service, household

pytestmark = pytest.mark.postgres

STATEMENTS = [
    "UPDATE decisions SET custodian = 'imam_order'",
    "DELETE FROM decisions",
    "UPDATE decision_outcomes SET tier = 1",
    "DELETE FROM decision_outcomes",
    "DELETE FROM tokens",
]


@pytest.mark.parametrize("db_urls", ["postgres"], indirect=True)
@pytest.mark.parametrize("statement", STATEMENTS)
def test_the_service_role_cannot_update_or_delete(service: Service, statement: str) -> None:
    r = service.client.post(f"/v1/eligibility?date={DAY}", json=household(), headers=service.auth())
    assert r.status_code == 201
    engine = service.state.store.engine
    with engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar_one() != "postgres"
    with pytest.raises(DBAPIError, match="permission denied"), engine.begin() as conn:
        conn.execute(text(statement))
    assert service.rows() == 1 and service.state.store.verify().ok


@pytest.mark.parametrize("db_urls", ["postgres"], indirect=True)
@pytest.mark.parametrize("statement", [*STATEMENTS[:4], "TRUNCATE decisions"])
def test_the_trigger_refuses_even_the_owner(service: Service, statement: str) -> None:
    service.client.post(f"/v1/eligibility?date={DAY}", json=household(), headers=service.auth())
    owner = Store(service.owner_url)
    with pytest.raises(DBAPIError, match="append-only"), owner.engine.begin() as conn:
        conn.execute(text(statement))
    owner.dispose()
    assert service.rows() == 1


@pytest.mark.parametrize("db_urls", ["postgres"], indirect=True)
def test_db_init_command_is_idempotent(service: Service) -> None:
    from typer.testing import CliRunner

    import allocator.cli.commands_serve  # noqa: F401  (registers the commands)
    from allocator.cli.app import app
    from tests.service.conftest import PG_SERVICE_ROLE

    args = ["db", "init", "--db", service.owner_url, "--service-role", PG_SERVICE_ROLE]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "granted" in result.output
    bad = CliRunner().invoke(
        app, ["db", "init", "--db", service.owner_url, "--service-role", "nobody"]
    )
    assert bad.exit_code == 2 and "no role named" in bad.output
    assert service.client.get("/readyz").status_code == 200


@pytest.mark.parametrize("db_urls", ["postgres"], indirect=True)
def test_decision_texts_are_packed_in_the_row_and_inputs_compressed_with_lz4(
    service: Service,
) -> None:
    r = service.client.post(f"/v1/eligibility?date={DAY}", json=household(), headers=service.auth())
    assert r.status_code == 201
    with service.state.store.engine.connect() as conn:
        # the service packs the output itself: small enough to stay in the row (no TOAST)
        size, head, toast = conn.execute(
            text(
                "SELECT pg_column_size(output_json), substring(output_json from 1 for 4), "
                "pg_column_compression(output_json) FROM decisions"
            )
        ).one()
        assert size < 2000 and bytes(head) == DICT_MAGIC and toast is None
        has_lz4 = conn.execute(
            text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = :n"),
            {"n": "default_toast_compression"},
        ).scalar()
        if not has_lz4:
            pytest.skip("this PostgreSQL server has no lz4")
        declared = conn.execute(
            text(
                "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = "
                "'decisions'::regclass AND attname IN ('input_json', 'output_json')"
            )
        ).all()
        assert dict(declared) == {"input_json": "l", "output_json": "l"}
