"""Synthetic aggregated demand of realistic magnitude, for tests and benchmarks.

Magnitudes follow the seeds where they give figures, otherwise they are assumptions:
about 3,000 households (9,900 residents) per neighborhood (seed 000: 2,020 neighborhoods,
about 20 million residents); 440 of 2,020 neighborhoods (22 %) in the custody of the Imam
Khomeini Order (seed 000); 22 services (seed 001's +Zendegi centers offer 22); unit costs in
toman per unit served per year are assumptions at 1402 (2023/24) prices.

Examples:
    >>> demand, neighborhoods, services = synthetic_tables(2, n_services=3, seed=0)
    >>> neighborhoods.num_rows, services.num_rows, demand.num_rows
    (2, 3, 24)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa

from allocator.domain.enums import CUSTODIANS

#: (service_id, name, entity, agency, unit_cost toman/year, opens_case_file,
#:  eligible share of households, eligible members per eligible household; assumptions)
CATALOGUE: tuple[tuple[str, str, str, str, float, bool, float, float], ...] = (
    ("health_insurance", "Free health insurance",
     "member", "imam_order", 1.2e6, False, 0.30, 2.6),
    ("food_package", "Food package",
     "household", "custodian", 12e6, True, 0.25, 1.0),
    ("hard_to_treat", "Hard-to-treat disease support",
     "member", "imam_order", 25e6, True, 0.02, 1.0),
    ("treatment_cost", "Treatment and medicine costs",
     "member", "imam_order", 6e6, False, 0.10, 1.2),
    ("micro_jobs", "Micro-jobs and home-based jobs",
     "household", "relief_committee", 40e6, True, 0.06, 1.0),
    ("student_support", "Education support for students",
     "member", "relief_committee", 3e6, False, 0.18, 1.5),
    ("culture_sports", "Cultural and sports facilities",
     "member", "red_crescent", 0.8e6, False, 0.20, 1.8),
    ("home_visit", "Home visit by a social worker",
     "household", "custodian", 0.6e6, True, 0.15, 1.0),
    ("counseling", "Counseling",
     "household", "welfare_organization", 1.5e6, True, 0.08, 1.0),
    ("life_skills", "Life skills training",
     "member", "welfare_organization", 0.7e6, False, 0.12, 1.4),
    ("genetics_counseling", "Genetics counseling",
     "household", "welfare_organization", 2e6, False, 0.02, 1.0),
    ("social_harm_prevention", "Identification and prevention of social harms",
     "household", "welfare_organization", 1e6, True, 0.05, 1.0),
    ("social_emergency", "Social emergency",
     "household", "welfare_organization", 4e6, True, 0.03, 1.0),
    ("disability_rehab", "Community-based rehabilitation",
     "member", "welfare_organization", 18e6, True, 0.04, 1.1),
    ("continuous_pension", "Continuous financial support (pension)",
     "household", "custodian", 24e6, True, 0.10, 1.0),
    ("one_off_grant", "One-off financial support",
     "household", "custodian", 5e6, True, 0.08, 1.0),
    ("housing_support", "Housing support",
     "household", "relief_committee", 30e6, True, 0.03, 1.0),
    ("addiction_treatment", "Addiction treatment",
     "member", "welfare_organization", 10e6, True, 0.02, 1.0),
    ("working_children", "Working and street children support",
     "member", "welfare_organization", 8e6, True, 0.01, 1.3),
    ("prisoner_family", "Support of prisoners' families",
     "household", "relief_committee", 15e6, True, 0.005, 1.0),
    ("marriage_facilitation", "Marriage facilitation",
     "household", "relief_committee", 20e6, False, 0.01, 1.0),
    ("dropout_return", "Return of dropouts to school",
     "member", "relief_committee", 2.5e6, False, 0.02, 1.1),
)  # fmt: skip

#: 31 provinces with rough population weights (millions; assumption from the 2016 census).
PROVINCES: tuple[tuple[str, float], ...] = (
    ("Tehran", 13.3), ("Khorasan Razavi", 6.4), ("Isfahan", 5.1), ("Fars", 4.9),
    ("Khuzestan", 4.7), ("East Azerbaijan", 3.9), ("Mazandaran", 3.3), ("West Azerbaijan", 3.3),
    ("Kerman", 3.2), ("Sistan and Baluchestan", 2.8), ("Alborz", 2.7), ("Gilan", 2.5),
    ("Kermanshah", 2.0), ("Golestan", 1.9), ("Hormozgan", 1.8), ("Lorestan", 1.8),
    ("Hamadan", 1.7), ("Kurdistan", 1.6), ("Markazi", 1.4), ("Qom", 1.3), ("Qazvin", 1.3),
    ("Ardabil", 1.3), ("Bushehr", 1.2), ("Yazd", 1.1), ("Zanjan", 1.1),
    ("Chaharmahal and Bakhtiari", 0.95), ("North Khorasan", 0.86),
    ("Kohgiluyeh and Boyer-Ahmad", 0.71),
    ("South Khorasan", 0.77), ("Semnan", 0.70), ("Ilam", 0.58),
)  # fmt: skip

#: Custodian shares: 440/2,020 for the Imam Khomeini Order (seed 000); the rest assumption.
CUSTODIAN_SHARES = (0.45, 0.25, 440 / 2020, 1 - 0.45 - 0.25 - 440 / 2020)
TIER_SHARES = np.array([0.15, 0.30, 0.35, 0.20])  # assumption
CASE_FILE_RATE = np.array([0.8, 0.6, 0.4, 0.25])  # by tier, for services that open one


def synthetic_tables(
    n_neighborhoods: int,
    n_services: int = 22,
    seed: int = 0,
    *,
    provinces: Sequence[str] | None = None,
    households_per_neighborhood: float = 3000.0,
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """The demand, neighborhoods and services tables of a random program.

    Args:
        n_neighborhoods: number of neighborhoods.
        n_services: the first ``n_services`` services of :data:`CATALOGUE` (at most 22).
        seed: random seed.
        provinces: restrict to these provinces (default: all 31, weighted by population).
        households_per_neighborhood: mean households per neighborhood.
    """
    if not 1 <= n_services <= len(CATALOGUE):
        raise ValueError(f"n_services must be 1..{len(CATALOGUE)}")
    rng = np.random.default_rng(seed)
    cat = CATALOGUE[:n_services]
    names = [p for p, _ in PROVINCES] if provinces is None else list(provinces)
    weights = np.array([dict(PROVINCES).get(p, 1.0) for p in names])
    n = n_neighborhoods
    prov = rng.choice(len(names), size=n, p=weights / weights.sum())
    cust = rng.choice(len(CUSTODIANS), size=n, p=np.array(CUSTODIAN_SHARES))
    hh = np.maximum(200, rng.lognormal(np.log(households_per_neighborhood), 0.35, n)).round()
    poverty = rng.uniform(0.6, 1.6, n)  # how deprived a neighborhood is (scales eligibility)
    ids = np.arange(1, n + 1, dtype=np.int32)
    county = np.array([f"{names[p]}-{1 + i % 7}" for i, p in enumerate(prov)], dtype=object)
    neighborhoods = pa.table(
        {
            "neighborhood_id": ids,
            "name": [f"N{i}" for i in ids],
            "province": pa.array(np.asarray(names, dtype=object)[prov], pa.string()),
            "county": pa.array(county, pa.string()),
            "custodian": pa.array([CUSTODIANS[c].value for c in cust], pa.string()),
            "target_2020": np.ones(n, bool),
            "informal_settlement": rng.random(n) < 330 / 2020,
            "mazandaran_56": np.asarray(names, dtype=object)[prov] == "Mazandaran",
            "population": (hh * 3.3).astype(np.int64),
        }
    )
    s = len(cat)
    share = np.array([c[6] for c in cat])
    members = np.array([c[7] for c in cat])
    opens = np.array([c[5] for c in cat])
    # eligible households per (n, s, t); tiers split with noise
    elig = hh[:, None] * share[None, :] * poverty[:, None] * rng.uniform(0.5, 1.5, (n, s))
    tiers = TIER_SHARES[None, None, :] * rng.uniform(0.5, 1.5, (n, s, 4))
    tiers /= tiers.sum(axis=2, keepdims=True)
    households = np.round(elig[:, :, None] * tiers)
    units = np.where(
        (members > 1)[None, :, None], np.round(households * members[None, :, None]), households
    )
    case_files = np.where(
        opens[None, :, None], np.round(households * CASE_FILE_RATE[None, None, :]), 0.0
    )
    agency_of_service = np.array(
        [CUSTODIANS.index(next(a for a in CUSTODIANS if a.value == c[3])) if c[3] != "custodian"
         else -1 for c in cat]
    )  # fmt: skip
    agency = np.where(agency_of_service[None, :] < 0, cust[:, None], agency_of_service[None, :])
    agency_rows = np.broadcast_to(agency[:, :, None], (n, s, 4)).ravel()
    service_rows = np.broadcast_to(np.arange(s)[None, :, None], (n, s, 4)).ravel()
    agency_words = pa.array([a.value for a in CUSTODIANS], pa.string())
    service_words = pa.array([c[0] for c in cat], pa.string())
    demand = pa.table(
        {
            "neighborhood_id": np.repeat(ids, s * 4),
            "service_id": pa.DictionaryArray.from_arrays(
                pa.array(service_rows.astype(np.int32)), service_words
            ),
            "tier": np.tile(np.arange(1, 5, dtype=np.int8), n * s),
            "agency": pa.DictionaryArray.from_arrays(
                pa.array(agency_rows.astype(np.int32)), agency_words
            ),
            "units": units.ravel().astype(np.int64),
            "households": households.ravel().astype(np.int64),
            "case_files": case_files.ravel().astype(np.int64),
        }
    )
    services = pa.table(
        {
            "service_id": [c[0] for c in cat],
            "name": [c[1] for c in cat],
            "entity": [c[2] for c in cat],
            "agency": [c[3] for c in cat],
            "unit_cost": np.array([c[4] for c in cat]),
            "opens_case_file": opens,
        }
    )
    return demand, neighborhoods, services
