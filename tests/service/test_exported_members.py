"""Pin the public API of ``allocator.service``."""

import allocator.service


def test_exported_members() -> None:
    assert allocator.service.__all__ == ["Settings", "create_app"]
