"""Signed checkpoints of the audit chain, kept outside the database (RFC 9162 tree heads).

A checkpoint states, at one moment, the size of the log, the Merkle root over its
decisions (:mod:`allocator.service.merkle`) and the chain's last sequence number and hash,
signed with an Ed25519 key that the database never sees. Checkpoints are JSON files
(``checkpoint-000000001234.json``) in a directory of their own; copies kept elsewhere
(another machine, a WORM bucket, an inspector's mailbox) make them stronger still.
Whoever rewrites, cuts or resets the log in the database cannot make it agree with a
checkpoint signed before: ``allocator audit verify`` compares them.

Examples:
    >>> key = new_key()
    >>> cp = sign_checkpoint(key, tree_size=2, root_hash="ab" * 32, chain_hash="cd" * 32)
    >>> cp.verify(key.public_key())
    True
    >>> forged = Checkpoint(**{**cp.__dict__, "tree_size": 1})
    >>> forged.verify(key.public_key())
    False
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from allocator.errors import InputError

#: Name of the log in every checkpoint (what the signature is about).
LOG_ID = "allocator-decision-audit-log/v1"
#: Environment variables of the key files and the checkpoint directory.
KEY_ENV = "ALLOCATOR_SIGNING_KEY"
PUBLIC_KEY_ENV = "ALLOCATOR_PUBLIC_KEY"
CHECKPOINT_DIR_ENV = "ALLOCATOR_CHECKPOINT_DIR"


def new_key() -> Ed25519PrivateKey:
    """A fresh Ed25519 signing key."""
    return Ed25519PrivateKey.generate()


def public_text(key: Ed25519PublicKey) -> str:
    """The public key as base64 of its 32 raw bytes (what verifiers are given)."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, hex: names the key in each checkpoint."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def write_key(key: Ed25519PrivateKey, path: Path) -> Path:
    """Write the private key (PEM, mode 0600) and ``path.pub`` (base64 public key)."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public = path.with_name(path.name + ".pub")
    public.write_text(public_text(key.public_key()) + "\n", encoding="utf-8")
    return public


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 key in a PEM file (raises ``InputError`` naming the file)."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(f"{path}: not a readable PEM private key ({exc})", field="key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(f"{path}: not an Ed25519 key", field="key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A public key: a ``.pub`` file (base64 raw), or a private key PEM (its public half)."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the public key ({exc})", field="key") from None
    if text.startswith("-----BEGIN"):
        return load_private_key(path).public_key()
    try:
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
    except ValueError:
        raise InputError(f"{path}: not a base64 Ed25519 public key", field="key") from None


@dataclass(frozen=True)
class Checkpoint:
    """A signed tree head of the audit log.

    Attributes:
        log: :data:`LOG_ID`.
        tree_size: decisions covered (``seq`` 1 to ``tree_size``).
        root_hash: Merkle root over their chain hashes, hex.
        chain_hash: the chain hash of decision ``tree_size``, hex.
        timestamp: when it was signed (UTC, ISO 8601).
        key_id: SHA-256 of the signing public key, hex.
        signature: Ed25519 signature of the other fields' canonical JSON, base64.
    """

    log: str
    tree_size: int
    root_hash: str
    chain_hash: str
    timestamp: str
    key_id: str
    signature: str

    def signed_bytes(self) -> bytes:
        fields = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def verify(self, key: Ed25519PublicKey) -> bool:
        """Whether the signature is this key's over these fields."""
        try:
            key.verify(base64.b64decode(self.signature), self.signed_bytes())
        except (InvalidSignature, ValueError):
            return False
        return self.log == LOG_ID

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_data(cls, data: object, where: str) -> Checkpoint:
        """A checkpoint from parsed JSON (raises ``InputError`` naming ``where``)."""
        names = set(cls.__dataclass_fields__)
        if not isinstance(data, dict) or set(data) != names:
            raise InputError(f"{where}: not a checkpoint (fields {sorted(names)})", field="file")
        if not isinstance(data["tree_size"], int) or isinstance(data["tree_size"], bool):
            raise InputError(f"{where}: tree_size must be an integer", field="tree_size")
        if not all(isinstance(data[k], str) for k in names - {"tree_size"}):
            raise InputError(f"{where}: fields other than tree_size are text", field="file")
        return cls(**data)


def sign_checkpoint(
    key: Ed25519PrivateKey, *, tree_size: int, root_hash: str, chain_hash: str
) -> Checkpoint:
    """A checkpoint of these figures, signed now with ``key``."""
    unsigned = Checkpoint(
        log=LOG_ID,
        tree_size=tree_size,
        root_hash=root_hash,
        chain_hash=chain_hash,
        timestamp=datetime.now(UTC).isoformat(timespec="seconds"),
        key_id=key_id(key.public_key()),
        signature="",
    )
    signature = base64.b64encode(key.sign(unsigned.signed_bytes())).decode()
    return Checkpoint(**{**asdict(unsigned), "signature": signature})


def save(checkpoint: Checkpoint, directory: Path) -> Path:
    """Write ``checkpoint`` into ``directory`` (whole file or nothing: write, then rename)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"checkpoint-{checkpoint.tree_size:012d}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(checkpoint.to_json(), encoding="utf-8")
    os.replace(tmp, path)
    return path


def load_all(directory: Path) -> list[Checkpoint]:
    """Every checkpoint in ``directory``, by tree size (raises ``InputError`` on a bad file)."""
    if not directory.is_dir():
        raise InputError(f"{directory}: no checkpoint directory", field="checkpoints")
    found = []
    for path in sorted(directory.glob("checkpoint-*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: not readable JSON ({exc})", field="file") from None
        found.append(Checkpoint.from_data(data, str(path)))
    return sorted(found, key=lambda c: c.tree_size)
