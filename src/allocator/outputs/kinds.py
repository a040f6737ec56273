"""What kind of result a directory holds, so that a command given the wrong one says so.

Every result directory's ``manifest.json`` records its ``kind`` (``dataset``,
``classification``, ``run``, ``sweep``); a command that takes a run and is given a
classification answers "this is a classification, not a run" instead of failing on a
missing file.

Examples:
    >>> import json
    >>> d = tmp_path  # a fresh directory (pytest's fixture)
    >>> _ = (d / "manifest.json").write_text(json.dumps({"kind": "classification"}))
    >>> result_kind(d)
    'classification'
    >>> try:
    ...     expect_kind(d, ("run", "sweep"), "allocator report")
    ... except DataError as exc:
    ...     print(str(exc).split(" ", 1)[1])
    is a classification (allocator classify), not a run or a sweep: allocator report takes the
    directory of allocator run or allocator sweep
"""

from __future__ import annotations

import json
from pathlib import Path

from allocator.errors import DataError
from allocator.outputs.manifest import MANIFEST

#: The command that writes each kind of result directory.
WRITERS = {
    "dataset": "allocator synth",
    "classification": "allocator classify",
    "run": "allocator run",
    "sweep": "allocator sweep",
}


#: Files that tell a kind of result apart when there is no manifest.
SIGNS = {"sweep.parquet": "sweep", "summary.json": "run", "run.json": "classification",
         "households.parquet": "dataset"}  # fmt: skip


def result_kind(directory: Path) -> str | None:
    """The ``kind`` of ``directory``'s manifest (without one: guessed from its files), or
    ``None`` when it is none of allocator's results."""
    try:
        data = json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        # run.json is checked before summary.json: a classification has both.
        for name in ("sweep.parquet", "run.json", "summary.json", "households.parquet"):
            if (Path(directory) / name).is_file():
                return SIGNS[name]
        return None
    kind = data.get("kind") if isinstance(data, dict) else None
    return kind if isinstance(kind, str) else None


def _article(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def expect_kind(directory: Path, wanted: tuple[str, ...], command: str) -> None:
    """Refuse ``directory`` when it is missing, not a directory, or of another kind.

    Raises:
        DataError: naming what the directory is and what ``command`` takes.
    """
    directory = Path(directory)
    takes = " or ".join(_article(k) for k in wanted)
    writers = " or ".join(WRITERS.get(k, k) for k in wanted)
    if not directory.exists():
        raise DataError(f"{directory}: no such directory ({command} takes {takes} directory)")
    if not directory.is_dir():
        raise DataError(f"{directory} is a file, not {takes} directory")
    kind = result_kind(directory)
    if kind is not None and kind not in wanted:
        raise DataError(
            f"{directory} is {_article(kind)} ({WRITERS.get(kind, kind)}), not {takes}: "
            f"{command} takes the directory of {writers}"
        )
