"""The native kernel: the rules compiled to C, one pass per batch (see :mod:`.kernel`)."""

from allocator.backends.native.build import KernelBuildError, compiler
from allocator.backends.native.engine import NativeKernel, signature

__all__ = ["KernelBuildError", "NativeKernel", "compiler", "signature"]
