"""Write a result directory into a hidden temporary sibling, then rename it into place.

A process killed at any moment leaves either the previous complete directory or none
under the final name, never a partial one: the work happens in ``.NAME.tmp``, and the
final rename is atomic on POSIX file systems. An existing result is replaced only with
``force``; the old one is first moved aside, so a crash between the two renames leaves no
result rather than a mixed one.

Examples:
    >>> final = tmp_path / "out"  # tmp_path: a fresh directory (pytest's fixture)
    >>> with atomic_output(final, kind="demo", command=["demo"]) as tmp:
    ...     _ = (tmp / "x.txt").write_text("1")
    >>> sorted(p.name for p in final.iterdir())
    ['manifest.json', 'x.txt']
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from allocator.errors import AllocatorError, Reason
from allocator.outputs.manifest import build_manifest, write_manifest


class OutputExistsError(AllocatorError):
    """The output directory exists and ``--force`` was not given."""

    reason = Reason.OUTPUT_EXISTS


class OutputPathError(AllocatorError):
    """The output directory cannot be created where it was asked for."""


def temporary_sibling(final: Path) -> Path:
    """The hidden work directory of ``final`` (stable, so that a resume can find it)."""
    return final.parent / f".{final.name}.tmp"


def _fsync_tree(directory: Path) -> None:
    for path in directory.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale(final: Path) -> None:
    """Remove results set aside by a ``--force`` publish that was killed between its two
    renames (``.NAME.old-PID`` of a process that is gone): they were being replaced."""
    for old in final.parent.glob(f".{final.name}.old-*"):
        pid = old.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)


def exists_message(final: Path) -> str:
    """The one message every command gives for an existing result without ``--force``.

    Examples:
        >>> exists_message(Path("runs/a"))
        'runs/a already exists: pass --force to replace it'
    """
    return f"{final} already exists: pass --force to replace it"


def check_target(final: Path, force: bool) -> None:
    """Refuse to overwrite an existing result without ``force`` (before any work starts).

    Also refuses, with a message naming it, an ``--out`` whose parent is a file or cannot
    be created, before any work starts.
    """
    final = Path(final)
    if final.exists() and not force:
        raise OutputExistsError(exists_message(final))
    parent = final.parent
    for up in (parent, *parent.parents):
        if up.exists():
            if not up.is_dir():
                raise OutputPathError(f"{final}: cannot create it, {up} is not a directory")
            if not os.access(up, os.W_OK | os.X_OK):
                raise OutputPathError(f"{final}: cannot create it, {up} is not writable")
            break


def make_dir(directory: Path, final: Path) -> None:
    """``mkdir -p directory``, or :class:`OutputPathError` naming ``final`` and why not."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise OutputPathError(f"{final}: cannot create it: {exc.strerror or exc}{where}") from None


def publish(tmp: Path, final: Path) -> None:
    """Rename the finished ``tmp`` to ``final``, replacing any previous result."""
    _fsync_tree(tmp)
    old = final.parent / f".{final.name}.old-{os.getpid()}"
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    _fsync_dir(final.parent)
    if old.exists():
        shutil.rmtree(old)


@contextmanager
def atomic_output(
    final: Path,
    *,
    kind: str,
    force: bool = False,
    resume: bool = False,
    command: list[str] | None = None,
    ruleset_hash: str | None = None,
    data_seed: int | None = None,
    manifest_extra: Mapping[str, Any] | Callable[[Path], Mapping[str, Any]] | None = None,
) -> Iterator[Path]:
    """Yield a work directory; on success write ``manifest.json`` and publish it as ``final``.

    ``manifest_extra`` adds fields to the manifest: a mapping, or a function of the finished
    work directory (for fields read from what was written there, such as counts).

    Without ``resume`` any leftover work directory (from a killed run) is discarded first;
    with it, the leftover is handed back as is. On an exception the work directory is
    kept only when ``resume`` is set, so that ``--resume`` can continue it.
    """
    final = Path(final)
    check_target(final, force)
    remove_stale(final)
    tmp = temporary_sibling(final)
    if tmp.exists() and not resume:
        shutil.rmtree(tmp)
    make_dir(tmp, final)
    try:
        yield tmp
    except BaseException:
        if not resume:
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    extra = manifest_extra(tmp) if callable(manifest_extra) else manifest_extra
    write_manifest(
        tmp,
        build_manifest(
            tmp,
            kind=kind,
            command=command,
            ruleset_hash=ruleset_hash,
            data_seed=data_seed,
            extra=None if extra is None else dict(extra),
        ),
    )
    publish(tmp, final)
