"""Pin the public API of allocator.importing."""

import allocator.importing


def test_exported_members() -> None:
    assert allocator.importing.__all__ == [
        "ImportResult",
        "Mapping",
        "import_dataset",
        "load_mapping",
        "parse_mapping",
    ]
