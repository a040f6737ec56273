"""Sentences a caseworker can read to a family: why a condition is not met, in English and
Persian, with each value, the limit it missed and its unit.

Money (a unit in toman) is written with thousands separators; Persian text uses Persian
digits and separators (``۶٬۰۰۰٬۰۰۰ تومان``). A threshold that is a parameter marked as an
assumption says so.

Examples:
    >>> fact = Fact(name="per_capita_income", label="monthly income per member",
    ...             value=6000000, op=">=", threshold=5000000, threshold_label="poverty line",
    ...             unit="toman per person per month", assumption=True)
    >>> fact_text(fact)  # doctest: +NORMALIZE_WHITESPACE
    'monthly income per member is 6,000,000 toman per person per month, at least the
     poverty line of 5,000,000 (an assumption)'
    >>> fact_text_fa(fact)
    'مقدار ۶٬۰۰۰٬۰۰۰ تومان برای هر نفر در ماه، دست‌کم برابر حد ۵٬۰۰۰٬۰۰۰ (حد فرضی است)'
    >>> money(1234567, "fa"), number(0.5, "fa")
    ('۱٬۲۳۴٬۵۶۷', '۰٫۵')
"""

from __future__ import annotations

from allocator.calendar import persian_digits
from allocator.decisions.model import ConditionTrace, Fact
from allocator.types import ScalarValue

#: Persian for the units of the national ruleset; other units are shown as written.
UNITS_FA = {
    "toman": "تومان",
    "toman per month": "تومان در ماه",
    "toman per person per month": "تومان برای هر نفر در ماه",
    "years": "سال",
    "members": "نفر",
    "case files per social worker": "پرونده برای هر مددکار",
    "fraction": "",
}

#: The relation a value had to its limit, when that relation is why the condition failed.
_OP = {
    "<": "below",
    "<=": "at most",
    ">": "above",
    ">=": "at least",
    "==": "equal to",
    "!=": "not",
    "in": "one of",
    "not in": "none of",
}
_OP_FA = {
    "<": "کمتر از",
    "<=": "حداکثر برابر",
    ">": "بیشتر از",
    ">=": "دست‌کم برابر",
    "==": "برابر",
    "!=": "نابرابر با",
    "in": "یکی از",
    "not in": "هیچ‌یک از",
}

#: Persian for the coded values conditions compare.
VALUES_FA = {
    "homeless": "بی‌خانمان",
    "tenant": "مستأجر",
    "owner": "مالک",
    "informal": "سکونت غیررسمی",
    "none": "هیچ",
    "physical_motor": "جسمی-حرکتی",
    "intellectual": "ذهنی",
    "visual": "بینایی",
    "hearing": "شنوایی",
    "chronic_mental": "روانی مزمن",
    "speech": "گفتاری",
    "mild": "خفیف",
    "moderate": "متوسط",
    "severe": "شدید",
    "unintentional": "جرم غیرعمد",
    "intentional": "جرم عمد",
    "female": "زن",
    "male": "مرد",
    "head": "سرپرست",
    "spouse": "همسر",
    "child": "فرزند",
}


def is_money(unit: str) -> bool:
    return unit.split(" ")[0] == "toman"


def money(amount: float, lang: str = "en") -> str:
    """An amount with thousands separators (Persian digits and ``٬`` for ``fa``)."""
    text = f"{round(amount):,}"
    return persian_digits(text.replace(",", "٬")) if lang == "fa" else text


def number(value: float, lang: str = "en") -> str:
    """A number as people write it (``0.5``, ``18``)."""
    text = f"{value:,g}" if isinstance(value, float) else f"{value:,}"
    if lang == "fa":
        return persian_digits(text.replace(",", "٬").replace(".", "٫"))
    return text


def value_text(value: ScalarValue | list[ScalarValue] | None, unit: str, lang: str = "en") -> str:
    """One value with its unit, in ``lang``."""
    if isinstance(value, list):
        return "{" + ", ".join(value_text(v, "", lang) for v in value) + "}"
    if isinstance(value, bool):
        return ("بله" if value else "خیر") if lang == "fa" else ("yes" if value else "no")
    if isinstance(value, int | float):
        shown = money(value, lang) if is_money(unit) else number(value, lang)
        shown_unit = UNITS_FA.get(unit, unit) if lang == "fa" else unit
        return f"{shown} {shown_unit}".strip()
    if value is None:
        return "نامعلوم" if lang == "fa" else "unknown"
    return VALUES_FA.get(str(value), str(value)) if lang == "fa" else str(value).replace("_", " ")


def _limit(fact: Fact, lang: str) -> str:
    """The threshold as a number (its unit is the value's, shown once) or a value."""
    limit = fact.threshold
    if isinstance(limit, int | float) and not isinstance(limit, bool):
        return money(limit, lang) if is_money(fact.unit) else number(limit, lang)
    return value_text(limit, "", lang)


def fact_text(fact: Fact) -> str:
    """One fact behind a failed condition, in English."""
    value = value_text(fact.value, fact.unit)
    if fact.op is None:
        return f"{fact.label}: {value}"
    limit = _limit(fact, "en")
    label = fact.threshold_label
    name = f"{'' if label.startswith('the ') else 'the '}{label} of " if label else ""
    note = " (an assumption)" if fact.assumption else ""
    return f"{fact.label} is {value}, {_OP[fact.op]} {name}{limit}{note}"


def fact_text_fa(fact: Fact) -> str:
    """One fact behind a failed condition, in Persian."""
    value = value_text(fact.value, fact.unit, "fa")
    numeric = isinstance(fact.threshold, int | float) and not isinstance(fact.threshold, bool)
    if fact.op is None or not numeric:
        return f"مقدار: {value}"
    limit = _limit(fact, "fa")
    note = " (حد فرضی است)" if fact.assumption else ""
    return f"مقدار {value}، {_OP_FA[fact.op]} حد {limit}{note}"


def reason(trace: ConditionTrace) -> str:
    """Why ``trace`` (a failed condition) is not met, as an English sentence."""
    text = f"Not met: {trace.explain or trace.id}"
    facts = "; ".join(fact_text(f) for f in trace.facts)
    return f"{text} ({facts})." if facts else f"{text}."


def reason_fa(trace: ConditionTrace) -> str:
    """Why ``trace`` (a failed condition) is not met, as a Persian sentence."""
    text = f"برقرار نیست: {trace.explain_fa or trace.explain or trace.id}"
    facts = "؛ ".join(fact_text_fa(f) for f in trace.facts if f.op is not None)
    return f"{text} ({facts})." if facts else f"{text}."
