"""``allocator audit ...``: the decision audit log, its signed checkpoints and proofs.

``keygen`` makes the Ed25519 key the checkpoints are signed with (kept outside the
database), ``checkpoint`` signs the chain's head now (``serve`` does it at an interval),
``verify`` checks the chain, the outcomes table and the checkpoints, ``prove`` and
``verify-proof`` give and check one decision's inclusion proof.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from allocator.cli.common import EXIT_FAILED, console, fail, reported
from allocator.cli.root import app

audit_app = typer.Typer(help="The decision audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite file (default: $ALLOCATOR_DB or ./allocator.sqlite).",
    ),
]
KeyOption = Annotated[
    Path | None,
    typer.Option("--key", help="Ed25519 private key file (default: $ALLOCATOR_SIGNING_KEY)."),
]
PublicKeyOption = Annotated[
    Path | None,
    typer.Option(
        "--public-key",
        help="Public key file (.pub from keygen, or the private key; "
        "default: $ALLOCATOR_PUBLIC_KEY).",
    ),
]
CheckpointsOption = Annotated[
    Path | None,
    typer.Option(
        "--checkpoints", help="Checkpoint directory (default: $ALLOCATOR_CHECKPOINT_DIR)."
    ),
]


def db_url(url: str | None) -> str:
    """The database URL from ``--db``, ``$ALLOCATOR_DB`` or the default file."""
    from allocator.service.settings import DEFAULT_DB, Settings

    return Settings(db_url=url or os.environ.get("ALLOCATOR_DB") or DEFAULT_DB).database_url()


def _path(given: Path | None, env: str, what: str) -> Path | None:
    if given is not None:
        return given
    value = os.environ.get(env)
    return Path(value) if value else None


def _open_store(db: str | None):  # type: ignore[no-untyped-def]
    from allocator.service.store import Store

    url = db_url(db)
    path = url.removeprefix("sqlite:///")
    if url.startswith("sqlite:///") and not Path(path).is_file():
        fail(f"no audit database at {path}")
    return Store(url)


@audit_app.command("keygen")
def audit_keygen(
    key: Annotated[Path, typer.Option("--key", help="Where to write the private key.")],
) -> None:
    """Make an Ed25519 signing key (mode 0600) and KEY.pub; print the public key."""
    from allocator.service.checkpoints import new_key, public_text, write_key

    if key.exists():
        fail(f"{key}: exists; refusing to overwrite a signing key")
    try:
        private = new_key()
        public = write_key(private, key)
    except OSError as exc:
        fail(f"{key}: cannot write the key ({exc.strerror})")
    console.print(f"private key: {key}\npublic key ({public}): {public_text(private.public_key())}")


@audit_app.command("checkpoint")
def audit_checkpoint(
    db: DbOption = None, key: KeyOption = None, checkpoints: CheckpointsOption = None
) -> None:
    """Sign the chain's current head into the checkpoint directory (nothing if unchanged)."""
    from allocator.service.audit import write_checkpoint
    from allocator.service.checkpoints import CHECKPOINT_DIR_ENV, KEY_ENV, load_private_key

    key_path = _path(key, KEY_ENV, "key")
    directory = _path(checkpoints, CHECKPOINT_DIR_ENV, "checkpoints")
    if key_path is None or directory is None:
        fail(
            "give --key (or $ALLOCATOR_SIGNING_KEY) and "
            "--checkpoints (or $ALLOCATOR_CHECKPOINT_DIR)"
        )
    with reported():
        private = load_private_key(key_path)
    store = _open_store(db)
    try:
        written = write_checkpoint(store, private, directory)
    except ValueError as exc:
        console.print(f"[bold red]{exc}[/]", highlight=False)
        raise typer.Exit(EXIT_FAILED) from None
    finally:
        store.dispose()
    if written is None:
        console.print("no new decisions since the last checkpoint")
    else:
        console.print(
            f"checkpoint signed: {written.tree_size} decision(s), root {written.root_hash[:16]}…"
        )


@audit_app.command("verify")
def audit_verify(
    db: DbOption = None,
    checkpoints: CheckpointsOption = None,
    public_key: PublicKeyOption = None,
) -> None:
    """Check the hash chain, the outcomes table, and the log against signed checkpoints.

    Exit 1 on any problem (a rewritten, cut or reset log, a missing chain head, outcomes
    not in the chain, a checkpoint that does not verify).
    """
    from sqlalchemy.exc import SQLAlchemyError

    from allocator.service.audit import verify_log
    from allocator.service.checkpoints import (
        CHECKPOINT_DIR_ENV,
        PUBLIC_KEY_ENV,
        load_all,
        load_public_key,
    )

    directory = _path(checkpoints, CHECKPOINT_DIR_ENV, "checkpoints")
    key_path = _path(public_key, PUBLIC_KEY_ENV, "public key")
    with reported():
        found = load_all(directory) if directory is not None else []
        key = load_public_key(key_path) if key_path is not None else None
    if found and key is None:
        fail("checkpoints need --public-key (or $ALLOCATOR_PUBLIC_KEY) to be verified")
    store = _open_store(db)
    try:
        report = verify_log(store, found, key)
    except SQLAlchemyError as exc:
        fail(f"cannot read the audit log: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    finally:
        store.dispose()
    if report.ok:
        console.print(report.describe(), highlight=False, soft_wrap=True)
        if directory is None:
            console.print("(no checkpoints given: a cut or reset log cannot be detected)")
        return
    console.print(f"[bold red]{report.describe()}[/]", highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_FAILED)


@audit_app.command("prove")
def audit_prove(
    decision_id: Annotated[str, typer.Argument(help="The decision's id.")],
    db: DbOption = None,
    checkpoints: CheckpointsOption = None,
) -> None:
    """Print a decision's inclusion proof (JSON) against the newest checkpoint."""
    from allocator.service.audit import prove
    from allocator.service.checkpoints import CHECKPOINT_DIR_ENV

    directory = _path(checkpoints, CHECKPOINT_DIR_ENV, "checkpoints")
    if directory is None:
        fail("give --checkpoints (or $ALLOCATOR_CHECKPOINT_DIR)")
    store = _open_store(db)
    try:
        with reported():
            found = prove(store, decision_id, directory)
    except ValueError as exc:
        fail(str(exc))
    finally:
        store.dispose()
    if found is None:
        fail(f"no decision {decision_id!r}")
    print(json.dumps(found, indent=2))


@audit_app.command("verify-proof")
def audit_verify_proof(
    proof: Annotated[Path, typer.Argument(help="A proof from `audit prove` or the API.")],
    public_key: PublicKeyOption = None,
) -> None:
    """Check an inclusion proof with the public key alone (exit 1 if it does not hold)."""
    from allocator.service.audit import check_proof
    from allocator.service.checkpoints import PUBLIC_KEY_ENV, load_public_key

    key_path = _path(public_key, PUBLIC_KEY_ENV, "public key")
    if key_path is None:
        fail("give --public-key (or $ALLOCATOR_PUBLIC_KEY)")
    with reported():
        key = load_public_key(key_path)
    try:
        data = json.loads(proof.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        fail(f"{proof}: not a readable JSON proof ({exc})")
    problem = check_proof(data if isinstance(data, dict) else {}, key)
    if problem:
        console.print(f"[bold red]proof does not hold: {problem}[/]", highlight=False)
        raise typer.Exit(EXIT_FAILED)
    console.print(
        f"proof holds: decision {data.get('decision_id')} (seq {data.get('seq')}) is in the "
        f"log of {data['checkpoint']['tree_size']} decision(s) signed at "
        f"{data['checkpoint']['timestamp']}"
    )
