"""The caseworkers' page, rendered on the server from the domain's own vocabularies.

Every label is English with its Persian beside it. The member fieldset is a ``<template>``
the script clones for each added member.

Examples:
    >>> html = render_page()
    >>> 'name="household_id"' in html and 'lang="fa"' in html
    True
    >>> '<option value="relief_committee">' in html
    True
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from html import escape
from importlib.resources import files

from allocator.domain.enums import (
    Agency,
    DisabilityType,
    Housing,
    Imprisonment,
    Relation,
    Severity,
    Sex,
)

#: (field, kind, English, Persian); kind is "int", "bool", "date" or an enum class.
HOUSEHOLD_FIELDS: list[tuple[str, str | type[StrEnum], str, str]] = [
    ("household_id", "int", "Household ID", "شناسه خانوار"),
    ("neighborhood_id", "int", "Neighborhood ID", "شناسه محله"),
    ("income", "int", "Monthly income (toman)", "درآمد ماهانه (تومان)"),
    ("assets", "int", "Net assets (toman)", "دارایی خالص (تومان)"),
    ("housing", Housing, "Housing", "وضعیت مسکن"),
    ("case_agency", Agency, "Agency holding a case file", "نهاد دارای پرونده"),
    ("continuous_pension", "bool", "Receives a continuous pension", "مستمری مستمر"),
]

MEMBER_FIELDS: list[tuple[str, str | type[StrEnum], str, str]] = [
    ("age", "int", "Age", "سن"),
    ("sex", Sex, "Sex", "جنسیت"),
    ("relation", Relation, "Relation to head", "نسبت با سرپرست"),
    ("disability_type", DisabilityType, "Disability type", "نوع معلولیت"),
    ("disability_severity", Severity, "Disability severity", "شدت معلولیت"),
    ("imprisoned", Imprisonment, "In prison", "زندانی"),
    ("insured", "bool", "Health insurance", "بیمه درمانی"),
    ("hard_to_treat_disease", "bool", "Hard-to-treat disease", "بیماری صعب‌العلاج"),
    ("in_school", "bool", "In school", "در حال تحصیل"),
    ("employed", "bool", "Employed", "شاغل"),
    ("drug_addiction", "bool", "Drug addiction", "اعتیاد"),
    ("street_child", "bool", "Working or street child", "کودک کار و خیابان"),
    ("waste_picker", "bool", "Waste picker", "زباله‌گرد"),
    ("woman_at_risk", "bool", "Woman at risk", "زن در معرض آسیب"),
]

_DEFAULTS = {"housing": "tenant", "case_agency": "none", "relation": "head"}


def label_text(english: str, persian: str) -> str:
    """A bilingual label: English, then Persian marked right-to-left."""
    return f'{escape(english)} <span lang="fa" dir="rtl">{escape(persian)}</span>'


def _field(name: str, kind: str | type[StrEnum], en: str, fa: str, prefix: str) -> str:
    ident = f"{prefix}{name}"
    label = label_text(en, fa)
    attrs = f'id="{ident}" name="{name}" data-field="{name}"'
    if kind == "bool":
        return (
            f'<div class="field check"><input type="checkbox" {attrs}>'
            f'<label for="{ident}">{label}</label></div>'
        )
    if kind == "int":
        required = " required" if name in ("household_id", "neighborhood_id", "age") else ""
        control = f'<input type="number" inputmode="numeric" min="0" step="1" {attrs}{required}>'
    elif isinstance(kind, type):
        chosen = _DEFAULTS.get(name, "")
        options = "".join(
            f'<option value="{v.value}"{" selected" if v.value == chosen else ""}>'
            f"{escape(v.value.replace('_', ' '))}</option>"
            for v in kind
        )
        control = f"<select {attrs}>{options}</select>"
    else:
        control = f'<input type="date" {attrs}>'
    return f'<div class="field"><label for="{ident}">{label}</label>{control}</div>'


@cache
def render_page() -> str:
    """The page's HTML (built once)."""
    template = (files("allocator.service") / "static" / "index.html").read_text(encoding="utf-8")
    household = "\n".join(_field(n, k, en, fa, "hh-") for n, k, en, fa in HOUSEHOLD_FIELDS)
    member = "\n".join(_field(n, k, en, fa, "m-__i__-") for n, k, en, fa in MEMBER_FIELDS)
    return template.replace("{{household_fields}}", household).replace("{{member_fields}}", member)
