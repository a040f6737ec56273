"""Every number the synthetic data generator uses, each with its source.

A source is a seed document (``seed 000`` to ``seed 004``, digested in
``shared/domain/seeds-digest.md``), the 2016 census table shipped next to this module, or the
word *assumption* followed by a one-line reason. No other module of :mod:`allocator.data`
holds a number that shapes the data.

Rates that differ by neighborhood are :data:`ByClass` triples indexed by the neighborhood
class: ``NON_TARGET`` (not one of the 2,020), ``TARGET`` (one of the 2,020) and
``INFORMAL`` (a target neighborhood that is also an informal settlement, seed 004).

Examples:
    >>> round(sum(DISABILITY_TYPE_SHARES.values()), 9), round(sum(HOUSING_SHARES["target"]), 9)
    (1.0, 1.0)
    >>> WELFARE_CASE_SHARE[NON_TARGET] * 18_000_000 + WELFARE_CASE_SHARE[TARGET] * 6_000_000
    1080000.0
"""

from __future__ import annotations

from typing import Final, TypeAlias

from allocator.domain.enums import Agency, DisabilityType, Housing, Severity

ByClass: TypeAlias = tuple[float, float, float]
NON_TARGET: Final = 0
TARGET: Final = 1
INFORMAL: Final = 2

# --- Geography -----------------------------------------------------------------------------
TARGET_NEIGHBORHOODS = 2020  # seed 000: 2,020 underprivileged target neighborhoods
TARGET_RESIDENTS = 20_000_000  # seed 000: about 20 million residents in them
IMAM_ORDER_NEIGHBORHOODS = 440  # seed 000: 440 neighborhoods in the custody of EIKO
INFORMAL_SETTLEMENTS = 330  # seed 004: 330 informal-settlement target neighborhoods
MAZANDARAN_NEIGHBORHOODS = 56  # seed 002: Mazandaran's 56 target neighborhoods
MAZANDARAN_PROVINCE = "Mazandaran"  # seed 002
# assumption: seed 002 reports Behzisti's coverage of the 56, so Behzisti holds their custody.
MAZANDARAN_CUSTODIAN = Agency.WELFARE_ORGANIZATION
# assumption: the 1,580 non-EIKO targets (and all non-targets) split by network size: IKRC runs
# the widest (400 relief houses + 9,000 charity centres, seed 000), then Behzisti (2,400
# +Zendegi centres, seed 001); the Red Crescent is not reported running neighborhood houses.
# Tuned (issue 13, calibration to seed 001): 0.45 / 0.40 / 0.15 gave Behzisti custody of 40 %
# of the country and about 3x seed 001's 1.08 M files; IKRC's network is about four times
# Behzisti's (9,400 against 2,400 houses), so 0.60 / 0.25 / 0.15.
OTHER_CUSTODIAN_SHARES: dict[Agency, float] = {
    Agency.RELIEF_COMMITTEE: 0.60,
    Agency.WELFARE_ORGANIZATION: 0.25,
    Agency.RED_CRESCENT: 0.15,
}
NATIONAL_HOUSEHOLDS = 24_000_000  # seed digest ("what the software must do"): 24 M households
# assumption: non-target neighborhoods as large as target ones on average (20 M / 2,020).
NON_TARGET_RESIDENTS_PER_NEIGHBORHOOD = 10_000
TARGET_RURAL_SHARE = 350 / 2400  # seed 001: 350 of the 2,400 +Zendegi centres are in villages
# assumption: with the targets' 14.6 %, about 26 % of all residents are rural (2016 census: 74 %
# urban).
NON_TARGET_RURAL_SHARE = 0.30
# assumption: synthetic counties of about 500,000 residents, at least 2 and at most 10 each.
COUNTY_RESIDENTS, COUNTIES_MIN, COUNTIES_MAX = 500_000, 2, 10
# assumption: neighborhood populations vary lognormally around their province's mean.
NEIGHBORHOOD_SIZE_SIGMA = 0.5

# --- Preset sizes ----------------------------------------------------------------------------
MAZANDARAN_HOUSEHOLDS = 162_000  # seed 002: Behzisti covers 162,000 households
MAZANDARAN_PEOPLE = 360_000  # seed 002: ... with 360,000 people
MAZANDARAN_DISABLED = 62_000  # seed 002: 62,000 people with disabilities
MAZANDARAN_WELFARE_CASE_SHARE = 1.0  # seed 002: every household covered holds a Behzisti file
# The tiny preset: small enough for a unit test, yet with every kind of neighborhood.
TINY_PROVINCES = ("Tehran", "Mazandaran", "Sistan and Baluchestan")  # assumption: 3 suffice
TINY_HOUSEHOLDS = 2_000  # assumption: writes in well under a second
TINY_TARGETS = 12  # assumption: room for all four custodians and each flag
TINY_IMAM_ORDER = 3  # assumption: a quarter of the targets, as EIKO's 440 of 2,020 roughly
TINY_INFORMAL = 3  # assumption: a few informal settlements
TINY_MAZANDARAN = 3  # assumption: a few of Mazandaran's 56
TINY_TARGET_RESIDENTS = 4_000  # assumption: most tiny residents live in targets
TINY_RESIDENTS_PER_NON_TARGET = 320  # assumption: gives 8 non-targets, 20 neighborhoods in all

# --- Households ------------------------------------------------------------------------------
# The 2016 census total (79.9 M) over the seed digest's 24 M households: 3.33 persons.
HOUSEHOLD_SIZE_MEAN = 79_926_270 / NATIONAL_HOUSEHOLDS
# assumption: household size is 1 + Poisson(mean - 1), a common simple model, capped at 30.
HOUSEHOLD_SIZE_MAX = 30
# assumption: lognormal monthly income, toman; median of a non-target urban household about
# 18 M toman (order of the 2023 household-budget survey), spread sigma 0.6.
INCOME_MEDIAN, INCOME_SIGMA = 18_000_000, 0.6
INCOME_FACTOR: ByClass = (1.0, 0.55, 0.45)  # assumption: target neighborhoods are poorer
INCOME_RURAL_FACTOR = 0.7  # assumption: rural incomes about 70 % of urban ones
INCOME_NO_EARNER_FACTOR = 0.45  # assumption: no employed member, income from transfers only
INCOME_CLIENT_FACTOR = 0.6  # assumption: IKRC / Behzisti clients are poorer
ZERO_INCOME_SHARE: ByClass = (0.02, 0.05, 0.07)  # assumption: a few report no income at all
INCOME_ROUNDING = 1_000  # assumption: incomes reported to the thousand toman
# assumption: net assets lognormal by housing status (owners hold the dwelling, tenants the
# deposit), toman; sigma 1.0; target households hold less.
ASSETS_MEDIAN: dict[Housing, int] = {
    Housing.OWNER: 1_500_000_000,
    Housing.TENANT: 150_000_000,
    Housing.INFORMAL: 80_000_000,
    Housing.HOMELESS: 2_000_000,
}
ASSETS_SIGMA = 1.0
ASSETS_FACTOR: ByClass = (1.0, 0.5, 0.4)  # assumption: target neighborhoods are poorer
ZERO_ASSETS_SHARE: ByClass = (0.05, 0.12, 0.15)  # assumption: some hold nothing at all
# assumption: housing shares (owner, tenant, informal, homeless), near the census's ~60 % owners
# in towns and ~80 % in villages; informal and homeless more frequent in target neighborhoods.
HOUSING_SHARES: dict[str, tuple[float, float, float, float]] = {
    "urban": (0.600, 0.370, 0.029, 0.001),  # non-target, urban
    "rural": (0.800, 0.150, 0.049, 0.001),  # non-target, rural
    "target": (0.450, 0.400, 0.145, 0.005),
    "informal": (0.300, 0.250, 0.440, 0.010),
}
# Case files held, by agency. Behzisti: seed 001's 1.08 M files nationwide, at twice the rate
# in target neighborhoods: 0.036 x 18 M + 0.072 x 6 M households = 1.08 M.
WELFARE_CASE_SHARE: ByClass = (0.036, 0.072, 0.072)
# Tuned (issue 13): Behzisti files go mostly to households with Behzisti's kind of need (a
# member with a disability or in a social-harm group): their share is the class's times
# WELFARE_NEED_FACTOR (at most 1), the others' times WELFARE_OTHER_FACTOR. Drawn independently
# of need, only a quarter of the 1.08 M registered files belonged to households eligible for
# any service that opens a file. assumption: factors chosen so the registered total stays
# about 1.08 M (seed 001).
WELFARE_NEED_FACTOR = 12.0
# assumption: tuned with the factor above (registered Behzisti files about 1.08 M).
WELFARE_OTHER_FACTOR = 0.6
CASE_SHARES: dict[Agency, ByClass] = {
    # assumption: IKRC supports about 2 million households, most in poor neighborhoods.
    Agency.RELIEF_COMMITTEE: (0.06, 0.12, 0.12),
    Agency.WELFARE_ORGANIZATION: WELFARE_CASE_SHARE,
    Agency.IMAM_ORDER: (0.003, 0.010, 0.010),  # assumption: EIKO serves mainly its own 440
    Agency.RED_CRESCENT: (0.002, 0.005, 0.005),  # assumption: mostly emergency relief
    Agency.OTHER: (0.010, 0.020, 0.020),  # assumption: municipalities, charities (seed 003)
}
# seed 001: the provinces with most +Zendegi centres, of 2,400, and "the number of centres in
# each city follows the number of Behzisti case files there". Tuned (issue 13): these counts
# are the only province-level evidence of where Behzisti's clients live, so the generator
# scales Behzisti-specific need (disability, social harms, Behzisti files held, Behzisti
# custody) by province with BEHZISTI_PROVINCE_FACTOR (see allocator.data.behzisti): the named
# provinces' shares of Behzisti need follow their centres' shares, the others share the rest in
# proportion to population. Tehran's 170 centres against 16.6 % of the population give it 0.43.
ZENDEGI_CENTRES = 2400
# seed 001: Khorasan Razavi 193, Fars 183, Tehran 170, East Azerbaijan 167 centres.
ZENDEGI_CENTRES_BY_PROVINCE: dict[str, int] = {
    "Khorasan Razavi": 193,
    "Fars": 183,
    "Tehran": 170,
    "East Azerbaijan": 167,
}
BEHZISTI_FILES = 1_080_000  # seed 001: case files nationwide
BEHZISTI_FILES_BY_PROVINCE = {"Ardabil": 17_177}  # seed 001: Ardabil handed 17,177 files
# Share of Behzisti's clients by province, where seed 001 gives one.
BEHZISTI_SHARE_BY_PROVINCE: dict[str, float] = {
    **{p: n / ZENDEGI_CENTRES for p, n in ZENDEGI_CENTRES_BY_PROVINCE.items()},
    **{p: n / BEHZISTI_FILES for p, n in BEHZISTI_FILES_BY_PROVINCE.items()},
}
# assumption: share of case holders with a continuous pension (seed 001 names continuous and
# one-off payments); households without a case file get none.
# Tuned (issue 13): Behzisti 0.40 -> 0.20, so that its pensioners' micro-employment files keep
# the national count of Behzisti files near seed 001's 1.08 M.
PENSION_SHARE: dict[Agency, float] = {
    Agency.NONE: 0.0,
    Agency.RELIEF_COMMITTEE: 0.70,
    Agency.WELFARE_ORGANIZATION: 0.20,
    Agency.IMAM_ORDER: 0.30,
    Agency.RED_CRESCENT: 0.10,
    Agency.OTHER: 0.10,
}

# --- Members ---------------------------------------------------------------------------------
FEMALE_HEAD: ByClass = (0.127, 0.18, 0.20)  # assumption: 2016 census ~12.7 %, more where poor
SPOUSE_IF_MALE_HEAD = 0.85  # assumption: most male heads of 2+ person households are married
SPOUSE_IF_FEMALE_HEAD = 0.05  # assumption: female heads are mostly widowed or divorced
# assumption: relation of the third and later members: child, parent, sibling, other.
LATER_RELATION_SHARES = (0.88, 0.05, 0.03, 0.04)
HEAD_AGE_MEAN, HEAD_AGE_SD = 47.0, 14.0  # assumption: heads aged about 47 +- 14 years
HEAD_AGE_MIN, HEAD_AGE_MAX = 18, 95  # assumption: heads are adults
SPOUSE_AGE_GAP, SPOUSE_AGE_SD = 5.0, 4.0  # assumption: husbands ~5 years older than wives
SPOUSE_AGE_MIN = 16  # assumption: no spouse younger than 16
CHILD_MIN_PARENT_AGE, CHILD_AGE_MAX = 17, 45  # assumption: children born to a head aged 17+
PARENT_AGE_GAP = (22, 36)  # assumption: a head's parent is 22 to 35 years older
SIBLING_AGE_SD = 6.0  # assumption: siblings within a few years of the head
OTHER_AGE_MAX = 85  # assumption: other relatives of any age up to 85
AGE_MAX = 110  # assumption: below the domain's limit of 120
MALE_SHARE = 0.51  # assumption: sex ratio at birth about 105 boys per 100 girls
INSURED: ByClass = (0.90, 0.75, 0.70)  # assumption: seed 000 enrols the uninsured of targets
# seed 002: 62,000 people with disabilities among 360,000 covered in Mazandaran.
DISABILITY_RATE_MAZANDARAN = MAZANDARAN_DISABLED / MAZANDARAN_PEOPLE
# Tuned (issue 13): was (0.020, 0.030, 0.035), about 1.6 M people, which alone opened 1.6 M
# Behzisti files against seed 001's 1.08 M. Seed 002 puts 62,000 disabled among Behzisti's
# 360,000 people in Mazandaran (17 %); 17 % of the ~2.4 M people in 1.08 M files is ~0.4 M,
# about 0.5 % of residents, more where poor.
DISABILITY_RATE: ByClass = (0.0045, 0.0075, 0.0085)
# seed 002: the Mazandaran profile (27,000 / 13,000 / 7,000 / 7,430 / 6,500 / 730, total 61,660).
DISABILITY_TYPE_COUNTS: dict[DisabilityType, int] = {
    DisabilityType.PHYSICAL_MOTOR: 27_000,
    DisabilityType.INTELLECTUAL: 13_000,
    DisabilityType.VISUAL: 7_000,
    DisabilityType.HEARING: 7_430,
    DisabilityType.CHRONIC_MENTAL: 6_500,
    DisabilityType.SPEECH: 730,
}
DISABILITY_TYPE_SHARES: dict[DisabilityType, float] = {
    kind: count / sum(DISABILITY_TYPE_COUNTS.values())
    for kind, count in DISABILITY_TYPE_COUNTS.items()
}
SEVERITY_SHARES: dict[Severity, float] = {  # assumption: most disabilities mild or moderate
    Severity.MILD: 0.40,
    Severity.MODERATE: 0.35,
    Severity.SEVERE: 0.25,
}
HARD_TO_TREAT: ByClass = (0.005, 0.008, 0.008)  # assumption: special diseases (seed 000), rare
SCHOOL_AGES = (6, 18)  # assumption: primary to end of secondary school, inclusive
DROPOUT: ByClass = (0.06, 0.12, 0.15)  # assumption: dropouts more frequent where poor (seed 004)
STREET_CHILD_IN_SCHOOL = 0.4  # assumption: most working/street children are out of school
WORKING_AGES = (15, 64)  # assumption: the usual working-age span
EMPLOYED_MALE: ByClass = (0.68, 0.60, 0.58)  # assumption: male employment rate of working age
EMPLOYED_FEMALE: ByClass = (0.14, 0.12, 0.12)  # assumption: female participation is low
EMPLOYED_IF_IN_SCHOOL = 0.1  # assumption: few pupils also work
ADDICTION_AGES = (18, 120)  # assumption: adults only
# Tuned (issue 13): was (0.025, 0.05, 0.06) and (0.003, 0.006, 0.008); every addict's household
# opens a Behzisti file (treatment, social emergency), which gave ~1.2 M files from addiction
# alone. Seed 003 speaks of *visible* (street) addiction: rare, concentrated in poor areas.
ADDICTION_MALE: ByClass = (0.003, 0.008, 0.012)  # assumption: visible addiction (seed 003)
ADDICTION_FEMALE: ByClass = (0.0004, 0.001, 0.0015)  # assumption: far rarer among women
STREET_CHILD_AGES = (6, 17)  # assumption: working and street children (seed 003)
# Tuned (issue 13): the three social-harm rates below halved outside informal settlements
# (social emergency files, seed 001 calibration). Assumption: concentrated in poor areas.
STREET_CHILD: ByClass = (0.001, 0.008, 0.015)
WASTE_PICKER_AGES = (10, 70)  # assumption: waste pickers (seed 003) of any working age
WASTE_PICKER: ByClass = (0.0005, 0.004, 0.008)  # assumption: concentrated in poor areas
WOMAN_AT_RISK_AGES = (15, 60)  # assumption: women at risk (seed 003)
WOMAN_AT_RISK: ByClass = (0.001, 0.006, 0.010)  # assumption: concentrated in poor areas
PRISON_AGES = (18, 75)  # assumption: adults
PRISON_MALE: ByClass = (0.005, 0.010, 0.012)  # assumption: ~0.25 % of all residents in prison
PRISON_FEMALE: ByClass = (0.0003, 0.0006, 0.0008)  # assumption: few women prisoners
PRISON_UNINTENTIONAL = 0.3  # assumption: debts and accidents (seed 003's unintentional crimes)
