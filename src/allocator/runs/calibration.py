"""Case files of a preset estimated from a sample of its households (for calibration).

Generating and classifying the whole ``national`` preset (24 M households) takes minutes;
the generator can draw any range of households alone (:mod:`allocator.data.batch`), so
``chunks`` evenly spaced ranges of ``chunk`` households are drawn, classified with the
NumPy kernel, and their case files (one per household,
:mod:`allocator.pipeline.casefiles`) scaled up by neighborhood class (non-target, target,
informal settlement): each class's files are its sampled rate times its households.

Examples:
    >>> est = estimate_case_files("tiny", seed=0, chunks=2, chunk=500)
    >>> est.sampled, est.households, all(est.registered[a] <= est.files[a] for a in est.registered)
    (1000, 2000, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from allocator.api.ruleset import RuleSet, default_rules_dir
from allocator.backends.vector import VectorBackend
from allocator.data.batch import generate_batch
from allocator.data.geoexport import neighborhoods_table
from allocator.data.layout import layout
from allocator.loading import load_ruleset
from allocator.pipeline.casefiles import AGENCIES, holding_agency
from allocator.pipeline.neighborhoods import NeighborhoodTable
from allocator.pipeline.prepare import prepare

#: The day the shipped scenarios classify on (the first day of 1402).
DAY = date(2023, 3, 21)


@dataclass(frozen=True)
class CaseFileEstimate:
    """Estimated case files of a whole preset, by holding agency.

    Attributes:
        files: households holding or needing a file, by agency (scaled to the preset).
        registered: of them, files already open with that agency.
        households: households of the preset.
        sampled: households classified.
    """

    files: dict[str, int]
    registered: dict[str, int]
    households: int
    sampled: int


def estimate_case_files(
    preset: str,
    seed: int,
    *,
    chunks: int = 40,
    chunk: int = 5_000,
    ruleset: RuleSet | None = None,
    day: date = DAY,
) -> CaseFileEstimate:
    """Case files of ``preset`` (seed ``seed``) estimated from ``chunks`` x ``chunk`` households."""
    lay = layout(preset, seed)
    ruleset = ruleset or load_ruleset(default_rules_dir())
    engine = VectorBackend(ruleset, "numpy")
    neighborhoods = NeighborhoodTable.from_arrow(neighborhoods_table(lay.geography))
    total = lay.total_households
    chunk = min(chunk, total)
    starts = np.linspace(0, total - chunk, chunks).astype(np.int64)
    starts = np.unique(starts)
    classes = lay.geography.classes()
    n_cls, n_ag = 3, len(AGENCIES)
    files = np.zeros((n_cls, n_ag))
    registered = np.zeros((n_cls, n_ag))
    sampled = np.zeros(n_cls)
    for i, start in enumerate(starts.tolist()):
        households, members = generate_batch(lay, seed, i, start, start + chunk)
        batch = prepare(households, members, neighborhoods).batch
        result = engine.classify(batch, day)
        existing = batch.household["case_agency"]
        if result.order is not None:
            existing = existing[result.order]
        holder, reg = holding_agency(result.case_file, result.case_file_agency, existing)
        cls = classes[np.asarray(result.neighborhood_id, np.int64) - 1]
        sampled += np.bincount(cls, minlength=n_cls)
        has = holder >= 0
        np.add.at(files, (cls[has], holder[has]), 1)
        np.add.at(registered, (cls[reg], holder[reg]), 1)
    population = np.bincount(classes, weights=lay.households, minlength=n_cls)
    scale = np.divide(population, sampled, out=np.zeros(n_cls), where=sampled > 0)
    est_files = (files * scale[:, None]).sum(axis=0)
    est_reg = (registered * scale[:, None]).sum(axis=0)
    return CaseFileEstimate(
        files={a: round(float(est_files[j])) for j, a in enumerate(AGENCIES) if est_files[j]},
        registered={a: round(float(est_reg[j])) for j, a in enumerate(AGENCIES) if est_reg[j]},
        households=total,
        sampled=int(sampled.sum()),
    )
