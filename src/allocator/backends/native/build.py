"""Compile a kernel's C source with the system's C compiler, once, and load it.

Built libraries are kept in a cache directory under the hash of their source and compiler
command (``$ALLOCATOR_KERNEL_CACHE``, else ``$XDG_CACHE_HOME/allocator/kernels``, else
``~/.cache/allocator/kernels``), so a ruleset is compiled once per machine, not once per run.
A library is written under a temporary name and renamed, so processes building the same
kernel at once never load a half-written file.

The flags keep IEEE arithmetic exactly as NumPy has it: no fast-math, no fused
multiply-add, and wrapping signed integers (``-fwrapv``) as NumPy's ``int64``.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from allocator.errors import AllocatorError, Reason

FLAGS = ["-O2", "-fwrapv", "-ffp-contract=off", "-fno-fast-math", "-shared", "-fPIC"]
_lock = threading.Lock()
_loaded: dict[str, ctypes.CDLL] = {}


class KernelBuildError(AllocatorError):
    """The C kernel cannot be built (no C compiler, or the compiler failed)."""

    reason = Reason.KERNEL_BUILD


def compiler() -> str | None:
    """The C compiler to use: ``$CC``, else ``cc`` or ``gcc`` on the path (``None``: none)."""
    found = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    return found or None


def cache_dir() -> Path:
    """Where built kernels are kept (see the module docstring)."""
    explicit = os.environ.get("ALLOCATOR_KERNEL_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "allocator" / "kernels"


def load(source: str) -> ctypes.CDLL:
    """The loaded library of ``source``, compiled if no cached build exists.

    Raises:
        KernelBuildError: no C compiler is found, or compiling fails.
    """
    cc = compiler()
    if cc is None:
        raise KernelBuildError("no C compiler found (set CC, or install gcc)")
    key = hashlib.sha256("\0".join([cc, *FLAGS, source]).encode()).hexdigest()[:24]
    with _lock:
        lib = _loaded.get(key)
        if lib is None:
            lib = _loaded[key] = ctypes.CDLL(str(_built(cc, key, source)))
        return lib


def _built(cc: str, key: str, source: str) -> Path:
    """The cached library of ``source``, compiled into the cache if missing; a cache that
    cannot be written is replaced by one in the temporary directory."""
    fallback = Path(tempfile.gettempdir()) / f"allocator-kernels-{os.getuid()}"
    for folder in (cache_dir(), fallback):
        target = folder / f"kernel-{key}.so"
        if target.is_file():
            return target
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=folder) as work:
                _compile(cc, source, Path(work), target)
            return target
        except OSError:
            continue
    raise KernelBuildError(f"no writable kernel cache ({cache_dir()} nor {fallback})")


def _compile(cc: str, source: str, work: Path, target: Path) -> None:
    """Compile ``source`` in ``work`` and move the library to ``target`` (atomically)."""
    c_file = work / "kernel.c"
    c_file.write_text(source, encoding="utf-8")
    out = work / "kernel.so"
    try:
        done = subprocess.run(
            [cc, *FLAGS, "-o", str(out), str(c_file)], capture_output=True, text=True
        )
    except OSError as exc:
        raise KernelBuildError(f"cannot run the C compiler {cc!r}: {exc}") from None
    if done.returncode != 0:
        raise KernelBuildError(f"compiling the rules kernel failed:\n{done.stderr[-2000:]}")
    os.replace(out, target)
