"""Names people read, in English and Persian, for the ids the data and rules use.

Examples:
    >>> agency_name("relief_committee")
    'Imam Khomeini Relief Committee · کمیته امداد امام خمینی'
    >>> agency_name("relief_committee", persian=False)
    'Imam Khomeini Relief Committee'
    >>> agency_name("someone_else")
    'someone_else'
"""

from __future__ import annotations

#: The four agencies of seed 000: (English name, Persian name).
AGENCIES: dict[str, tuple[str, str]] = {
    "relief_committee": ("Imam Khomeini Relief Committee", "کمیته امداد امام خمینی"),
    "welfare_organization": ("State Welfare Organization (Behzisti)", "سازمان بهزیستی"),
    "imam_order": ("Execution of Imam Khomeini's Order", "ستاد اجرایی فرمان امام"),
    "red_crescent": ("Red Crescent Society", "جمعیت هلال احمر"),
    "none": ("no agency", "بدون دستگاه"),
    "other": ("another agency", "سایر دستگاه‌ها"),
}


def agency_name(agency: str, persian: bool = True) -> str:
    """The agency's English name, then its Persian name after a `` · ``; the id if unknown."""
    names = AGENCIES.get(agency)
    if names is None:
        return agency
    return f"{names[0]} · {names[1]}" if persian else names[0]


def agency_name_fa(agency: str) -> str:
    """The agency's Persian name (the id if unknown)."""
    names = AGENCIES.get(agency)
    return names[1] if names else agency
