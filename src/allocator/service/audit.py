"""The anchored audit: checkpoints written from the chain, the chain verified against them,
and inclusion proofs of single decisions.

- :func:`write_checkpoint` signs the current head, only after checking that the chain
  since the last checkpoint still links up from it (so a rewritten log is never signed);
- :func:`verify_log` walks the chain, recomputes ``decision_outcomes`` from the chained
  outputs, and checks every checkpoint: signature, the decision at its size still has its
  hash (a cut or rewritten log does not), the Merkle root over the decisions up to it;
- :func:`prove` gives a decision's inclusion proof against the newest checkpoint that
  covers it, :func:`check_proof` checks one with nothing but the public key.

Checkpoints and proofs read the tree from a :class:`~allocator.service.merkle.MerkleLog`
kept per database and extended with the decisions added since (:func:`merkle_log`), so a
proof costs a few dozen hashes however long the log; :func:`verify_log`, the auditor,
recomputes everything from the rows.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select

from allocator.service import checkpoints as cps
from allocator.service.chain import row_hash, verify_rows
from allocator.service.merkle import MerkleLog, leaf_hash, tree_root, verify_inclusion
from allocator.service.store import Row, Store, decode
from allocator.service.tables import GENESIS, chain_head, decision_outcomes, decisions

Outcome = tuple[int, str, str, bool, int | None]


@dataclass
class AuditReport:
    """What :func:`verify_log` found: ``problems`` is empty when everything holds."""

    decisions: int = 0
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        if self.ok:
            return (
                f"audit chain intact: {self.decisions} decision(s) verified, outcomes match "
                f"the chain, {self.checkpoints} checkpoint(s) verified"
            )
        return "audit log broken:\n" + "\n".join(f"- {p}" for p in self.problems)


def outcomes_of(row: Row) -> list[Outcome]:
    """The ``decision_outcomes`` rows a chained decision implies."""
    _, output = decode(row)
    return sorted(
        (
            int(row["seq"]),
            str(s["service_id"]),
            str(row["custodian"]),
            bool(s["eligible"]),
            s.get("tier") if s["eligible"] else None,
        )
        for s in output.get("services", [])
    )


def _stored_outcomes(store: Store) -> list[Outcome]:
    o = decision_outcomes.c
    with store.engine.connect() as conn:
        rows = conn.execute(select(o.seq, o.service_id, o.custodian, o.eligible, o.tier)).all()
    return sorted((int(r[0]), str(r[1]), str(r[2]), bool(r[3]), r[4]) for r in rows)


def verify_log(
    store: Store, checkpoints: list[cps.Checkpoint], key: Ed25519PublicKey | None
) -> AuditReport:
    """Check the chain, the outcomes table and each checkpoint (see the module doc)."""
    report = AuditReport(checkpoints=len(checkpoints))
    rows = list(store.iter_chain())
    report.decisions = len(rows)
    with store.engine.connect() as conn:
        head = conn.execute(select(chain_head.c.seq, chain_head.c.hash)).first()
    if head is None:
        report.problems.append("the chain_head row is missing (deleted or reset)")
    chain = verify_rows(rows, None if head is None else (int(head[0]), str(head[1])))
    if not chain.ok:
        report.problems.append(chain.describe())
    implied: list[Outcome] = []
    for r in rows:
        try:
            implied.extend(outcomes_of(r))
        except ValueError:  # altered past reading (the chain names it too): no outcomes
            report.problems.append(
                f"decision seq {r['seq']} ({r['decision_id']}): its stored text is not "
                "a readable decision"
            )
    expected = sorted(implied)
    stored = _stored_outcomes(store)
    if expected != stored:
        extra = len(set(stored) - set(expected)) + max(0, len(stored) - len(expected))
        report.problems.append(
            f"decision_outcomes does not match the chained decisions: {len(stored)} row(s) "
            f"stored, {len(expected)} implied by the chain ({extra} or more not in the chain)"
        )
    leaves = [bytes.fromhex(str(r["hash"])) for r in rows]
    for cp in checkpoints:
        name = f"checkpoint of size {cp.tree_size} ({cp.timestamp})"
        if key is None or not cp.verify(key):
            report.problems.append(f"{name}: signature does not verify with the public key")
            continue
        if cp.tree_size > len(rows):
            report.problems.append(
                f"{name}: the log holds {len(rows)} decision(s); it was cut (truncated) or reset"
            )
            continue
        if cp.tree_size and rows[cp.tree_size - 1]["hash"] != cp.chain_hash:
            report.problems.append(
                f"{name}: decision seq {cp.tree_size} no longer has the signed hash (rewritten)"
            )
        if tree_root(leaves[: cp.tree_size]).hex() != cp.root_hash:
            report.problems.append(f"{name}: the Merkle root differs (decisions rewritten)")
    return report


def _leaves(store: Store, size: int, start: int = 0) -> list[bytes]:
    """The chain hashes of decisions ``start + 1`` to ``size``, in order."""
    with store.engine.connect() as conn:
        hashes = conn.execute(
            select(decisions.c.hash)
            .where(decisions.c.seq > start, decisions.c.seq <= size)
            .order_by(decisions.c.seq)
        ).scalars()
        return [bytes.fromhex(h) for h in hashes]


_LOGS: dict[str, MerkleLog] = {}
_LOGS_LOCK = threading.Lock()


def merkle_log(store: Store, size: int) -> MerkleLog:
    """The Merkle tree of ``store``'s decisions, holding at least the first ``size``.

    Kept per database URL and extended with the decisions added since; rebuilt from the rows
    when its newest leaf no longer matches the decision of that number (a database replaced
    or rewritten under the same URL), so it never answers for another log.
    """
    with _LOGS_LOCK:
        log = _LOGS.get(store.url)
        if log is not None and len(log):
            newest = _leaves(store, len(log), len(log) - 1)
            if not newest or leaf_hash(newest[0]) != log.leaf(len(log) - 1):
                log = None
        if log is None:
            log = _LOGS[store.url] = MerkleLog()
        if len(log) < size:
            log.extend(_leaves(store, size, len(log)))
        if len(log) < size:
            raise ValueError(
                f"the log has {len(log)} decision(s) but the checkpoint covers {size}: "
                "decisions were removed (run allocator audit verify)"
            )
        return log


def write_checkpoint(
    store: Store, key: Ed25519PrivateKey, directory: Path
) -> cps.Checkpoint | None:
    """Sign the chain's current head into ``directory``; ``None`` when nothing is new.

    Raises:
        ValueError: the chain since the last checkpoint does not link up from it, or the
            head does not match the last decision: a broken log is never signed.
    """
    previous = cps.load_all(directory) if directory.is_dir() else []
    last = previous[-1] if previous else None
    problem = store.check_head()
    if problem:
        raise ValueError(f"not signing: {problem}")
    start, start_hash = (last.tree_size, last.chain_hash) if last else (0, GENESIS)
    with store.engine.connect() as conn:
        tail = [
            dict(r._mapping)
            for r in conn.execute(
                select(decisions).where(decisions.c.seq >= max(start, 1)).order_by(decisions.c.seq)
            )
        ]
    if start:
        if not tail or tail[0]["seq"] != start or tail[0]["hash"] != start_hash:
            raise ValueError(f"not signing: decision seq {start} differs from its checkpoint")
        tail = tail[1:]
    prev, seq = start_hash, start
    for row in tail:
        if row["seq"] != seq + 1 or row["prev_hash"] != prev or row_hash(prev, row) != row["hash"]:
            raise ValueError(f"not signing: the chain is broken at seq {row['seq']}")
        prev, seq = row["hash"], row["seq"]
    if last is not None and seq == last.tree_size:
        return None
    root = merkle_log(store, seq).root(seq).hex()
    checkpoint = cps.sign_checkpoint(key, tree_size=seq, root_hash=root, chain_hash=prev)
    cps.save(checkpoint, directory)
    return checkpoint


def prove(store: Store, decision_id: str, directory: Path) -> dict[str, Any] | None:
    """The inclusion proof of a decision against the newest checkpoint (``None`` if the
    decision is unknown; ``ValueError`` if no checkpoint covers it yet)."""
    row = store.get(decision_id)
    if row is None:
        return None
    found = cps.load_all(directory) if directory.is_dir() else []
    if not found or found[-1].tree_size < int(row["seq"]):
        raise ValueError("no checkpoint covers this decision yet; ask after the next one")
    cp = found[-1]
    path = merkle_log(store, cp.tree_size).proof(int(row["seq"]) - 1, cp.tree_size)
    return {
        "decision_id": decision_id,
        "seq": int(row["seq"]),
        "leaf_index": int(row["seq"]) - 1,
        "decision_hash": row["hash"],
        "inclusion_path": [p.hex() for p in path],
        "checkpoint": json.loads(cp.to_json()),
    }


def check_proof(proof: dict[str, Any], key: Ed25519PublicKey) -> str:
    """What is wrong with an inclusion proof ('' when it holds)."""
    try:
        cp = cps.Checkpoint.from_data(proof["checkpoint"], "checkpoint")
        leaf = bytes.fromhex(proof["decision_hash"])
        path = [bytes.fromhex(p) for p in proof["inclusion_path"]]
        index = int(proof["leaf_index"])
    except (KeyError, TypeError, ValueError) as exc:
        return f"not a proof: {exc}"
    if not cp.verify(key):
        return "the checkpoint's signature does not verify with this public key"
    if not verify_inclusion(leaf, index, cp.tree_size, path, bytes.fromhex(cp.root_hash)):
        return "the decision is not in the signed tree (the proof does not lead to its root)"
    return ""


class Checkpointer:
    """A thread that writes a checkpoint every ``interval`` seconds while the server runs."""

    def __init__(self, url: str, key: Ed25519PrivateKey, directory: Path, interval: float) -> None:
        self.url, self.key, self.directory, self.interval = url, key, directory, interval
        self.last_error = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="allocator-checkpoints", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        import logging

        log = logging.getLogger("allocator.service.audit")
        store = Store(self.url)
        try:
            while not self._stop.wait(self.interval):
                try:
                    cp = write_checkpoint(store, self.key, self.directory)
                except Exception as exc:  # logged, retried at the next interval
                    self.last_error = str(exc)
                    log.error("checkpoint not written: %s", exc)
                    continue
                if cp is not None:
                    log.info("checkpoint signed: tree_size=%d", cp.tree_size)
        finally:
            store.dispose()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)
