"""Whole workers inside the province quota bands at the total the rounding reaches."""

from __future__ import annotations

import numpy as np

from allocator.optimize import synthetic_demand
from allocator.optimize.model import build_model
from allocator.optimize.rounding import trim_to_bands

from .builders import scaled_params


def test_workers_over_a_band_are_taken_back_smallest_part_of_a_caseload_first() -> None:
    model = build_model(synthetic_demand(120, 22, seed=5), scaled_params(120, quota_band=0.2))
    s, p = model.sets, model.params
    prov = s.province[s.staff_n]
    rng = np.random.default_rng(0)
    need = rng.uniform(0.0, 2.0, s.n_staff)
    heavy = int(np.argmax(np.bincount(prov, minlength=s.n_provinces)))
    need[prov == heavy] += 3.0  # one province wants far more than its share
    w = np.ceil(need)  # every part of a caseload rounded up
    before = w.copy()
    trim_to_bands(model, w, need, prov)

    hi = (1 + p.quota_band) * s.province_share * w.sum() + p.quota_worker_allowance
    by_province = np.bincount(prov, w, s.n_provinces)
    assert np.all(by_province <= hi + 1e-9)
    assert by_province[heavy] < np.bincount(prov, before, s.n_provinces)[heavy]  # it was over
    cut = np.flatnonzero(w < before)
    assert np.all(np.isin(prov[cut], np.flatnonzero(by_province > 0)))
    # within the heavy province, no kept last worker carries less than a cut one did
    mine = prov == heavy
    carried = need - (before - 1)
    kept = mine & (w == before) & (w > 0)
    cut_heavy = mine & (w < before)
    if cut_heavy.any() and kept.any():
        assert carried[cut_heavy].max() <= carried[kept].min() + 1e-12


def test_a_rounding_within_its_bands_is_left_alone() -> None:
    model = build_model(synthetic_demand(120, 22, seed=5), scaled_params(120, quota_band=0.2))
    s = model.sets
    prov = s.province[s.staff_n]
    # every province at its share of 300 workers, spread over its cells
    target = np.round(s.province_share * 300)
    w = np.zeros(s.n_staff)
    for province in range(s.n_provinces):
        cells = np.flatnonzero(prov == province)
        if cells.size:
            w[cells] = np.bincount(np.arange(int(target[province])) % cells.size,
                                   minlength=cells.size)  # fmt: skip
    before = w.copy()
    trim_to_bands(model, w, w.copy(), prov)
    assert np.array_equal(w, before)
