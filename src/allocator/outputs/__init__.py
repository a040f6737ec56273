"""Result directories that are complete or absent: atomic writes, manifests, verification."""

from allocator.outputs.atomic import OutputExistsError, atomic_output
from allocator.outputs.manifest import MANIFEST, build_manifest
from allocator.outputs.verify import verify_dir

__all__ = ["MANIFEST", "OutputExistsError", "atomic_output", "build_manifest", "verify_dir"]
