"""Pin the public API of allocator.data."""

import allocator.data


def test_exported_members() -> None:
    assert sorted(allocator.data.__all__) == [
        "DatasetInfo",
        "PRESETS",
        "write_dataset",
    ]
    for name in allocator.data.__all__:
        assert getattr(allocator.data, name) is not None
