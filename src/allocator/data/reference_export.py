"""Write the reference table of default neighborhoods from the generator's national geography.

The service and ``allocator check`` read ``allocator/reference/neighborhoods-national.csv``
(:mod:`allocator.reference.neighborhoods`), not the generator. The file is the national
geography of :data:`~allocator.reference.neighborhoods.DEFAULT_SEED`, so that the ids of the
embedded data sets mean the same neighborhoods; ``tests/data`` checks that they still agree.
After a change to the geography, write it again::

    python -m allocator.data.reference_export
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from allocator.data.geoexport import neighborhood_models
from allocator.data.geography import NATIONAL, build_geography
from allocator.reference.neighborhoods import COLUMNS, DEFAULT_SEED, NEIGHBORHOODS_FILE


def reference_csv(seed: int = DEFAULT_SEED) -> str:
    """The text of the reference file for the national geography of ``seed``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for n in neighborhood_models(build_geography(NATIONAL, seed)):
        programs = " ".join(p.value for p in n.programs)
        row = (n.neighborhood_id, n.name, n.province, n.county, n.setting.value)
        writer.writerow((*row, n.custodian.value, programs))
    return out.getvalue()


def main() -> None:
    """Write the reference file into the source tree (``allocator/reference``)."""
    path = Path(__file__).resolve().parents[1] / "reference" / NEIGHBORHOODS_FILE
    path.write_text(reference_csv(), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
