"""Case files as the optimizer sees them: one per household, per (neighborhood, agency).

A classification writes ``casefiles.parquet`` (:mod:`allocator.pipeline.casefiles`): for
each neighborhood and holding agency, the households that hold or need a social-work case
file (``files``) and how many of them are already open with that agency (``registered``).
:class:`CaseFiles` holds that table coded into arrays; :class:`~.demand.Demand` carries it as
``casefiles`` and answers the per-neighborhood figures the model uses
(:meth:`~.demand.Demand.neighborhood_case_files`).

Without a case-file table (demand directories of older runs, random demand), the model falls
back to the demand rows' ``case_files`` (one file per household *per service*).

Examples:
    >>> cf = CaseFiles(np.array([0, 0, 2]), np.array([1, 0, 1]), np.array([5.0, 2.0, 3.0]),
    ...                np.array([4.0, 0.0, 1.0]))
    >>> cf.per_neighborhood(3).tolist(), cf.registered_per_neighborhood(3).tolist()
    ([7.0, 0.0, 3.0], [4.0, 0.0, 1.0])
    >>> cf.select_agencies([1]).per_neighborhood(3).tolist()
    [5.0, 0.0, 3.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from allocator.errors import DataError
from allocator.types import BoolArray, FloatArray, IntArray

CASEFILES_FILE = "casefiles.parquet"
CASEFILES_COLUMNS = ("neighborhood_id", "agency", "files", "registered")


@dataclass(frozen=True, eq=False)
class CaseFiles:
    """Case files per (neighborhood, holding agency), one entry per pair with files.

    Attributes:
        neighborhood: position of the neighborhood in the demand's neighborhood arrays.
        agency: position of the holding agency in the demand's ``agencies``.
        files: households holding or needing a file (one file per household).
        registered: of them, files already open with that agency.
    """

    neighborhood: IntArray
    agency: IntArray
    files: FloatArray
    registered: FloatArray

    def per_neighborhood(self, n_neighborhoods: int) -> FloatArray:
        """Case files of every neighborhood (all holding agencies)."""
        out: FloatArray = np.bincount(
            self.neighborhood, weights=self.files, minlength=n_neighborhoods
        ).astype(np.float64)
        return out

    def registered_per_neighborhood(self, n_neighborhoods: int) -> FloatArray:
        """Registered case files of every neighborhood (all holding agencies)."""
        out: FloatArray = np.bincount(
            self.neighborhood, weights=self.registered, minlength=n_neighborhoods
        ).astype(np.float64)
        return out

    def select_agencies(self, codes: list[int]) -> CaseFiles:
        """Only the files held by the agencies at positions ``codes``."""
        return self._take(np.isin(self.agency, codes))

    def take_neighborhoods(self, keep: BoolArray) -> CaseFiles:
        """Only the neighborhoods ``keep`` (a mask over all), renumbered as in the demand."""
        rows = keep[self.neighborhood]
        taken = self._take(rows)
        renumbered = (np.cumsum(keep) - 1)[taken.neighborhood]
        return CaseFiles(renumbered.astype(np.int64), taken.agency, taken.files, taken.registered)

    def _take(self, rows: BoolArray) -> CaseFiles:
        return CaseFiles(
            self.neighborhood[rows], self.agency[rows], self.files[rows], self.registered[rows]
        )

    @classmethod
    def from_table(cls, table: pa.Table, ids: IntArray, agencies: tuple[str, ...]) -> CaseFiles:
        """Code ``casefiles.parquet`` against the demand's sorted neighborhood ``ids``.

        Rows of neighborhoods not in ``ids`` are dropped (a scenario may keep only some).

        Raises:
            DataError: a column is missing, an agency is unknown, or a count is wrong.
        """
        missing = [c for c in CASEFILES_COLUMNS if c not in table.column_names]
        if missing:
            raise DataError(f"table 'casefiles' lacks column(s) {missing}", "casefiles")
        nb = np.asarray(table.column("neighborhood_id").to_numpy(), dtype=np.int64)
        pos = np.clip(np.searchsorted(ids, nb), 0, max(ids.size - 1, 0))
        known = (ids[pos] == nb) if ids.size else np.zeros(nb.size, bool)
        words = np.asarray(table.column("agency").to_pylist(), dtype=object)
        vocabulary = {a: i for i, a in enumerate(agencies)}
        unknown = sorted({str(w) for w in words if w not in vocabulary})
        if unknown:
            raise DataError(f"unknown agency {unknown[0]!r}", "casefiles", "agency")
        agency = np.array([vocabulary[w] for w in words], dtype=np.int64)
        files = np.asarray(table.column("files").to_numpy(), dtype=np.float64)
        registered = np.asarray(table.column("registered").to_numpy(), dtype=np.float64)
        if (files < 0).any() or (registered < 0).any() or (registered > files).any():
            raise DataError("need 0 <= registered <= files", "casefiles", "registered")
        return cls(pos[known], agency[known], files[known], registered[known])


def row_file_share(
    row_neighborhood: IntArray, row_case_files: FloatArray, files: FloatArray
) -> FloatArray:
    """Per-row case files scaled so that each neighborhood's rows add up to ``files``.

    The demand rows count a household once per file-opening service; the case-file table
    counts it once. Scaling each neighborhood's rows by (its files / its rows' sum) keeps
    the caseload rows consistent with one file per household.

    Examples:
        >>> row_file_share(np.array([0, 0, 1]), np.array([3.0, 1.0, 2.0]),
        ...                np.array([2.0, 0.0])).tolist()
        [1.5, 0.5, 0.0]
    """
    sums = np.bincount(row_neighborhood, weights=row_case_files, minlength=files.size)
    factor = np.divide(files, sums, out=np.zeros(files.size), where=sums > 0)
    out: FloatArray = row_case_files * factor[row_neighborhood]
    return out
