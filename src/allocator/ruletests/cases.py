"""The format of rule test files (``rules/tests/**/*.yaml``), in the spirit of OpenFisca's
YAML tests: a name, a date, the input household, the expected decision per service.

A file holds a list of cases::

    - name: poor household in a target neighborhood gets a food package
      date: 2025-06-01          # or 1404-03-11 (Jalali: a year below 1700)
      neighborhood: {setting: urban, custodian: imam_order}   # optional
      household:
        income: 4000000
        members:
          - {age: 40, sex: female, relation: head}
      expect:
        food_package: {eligible: true, tier: 1, agency: imam_order}
        shelter: {eligible: false, why_not: homeless}

``household_id`` and ``neighborhood_id`` may be left out. The neighborhood defaults to an
urban target neighborhood of the 2,020 program in the custody of the Relief Committee.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from allocator.calendar import Day
from allocator.domain.enums import Agency, Program, Setting
from allocator.domain.neighborhood import Neighborhood
from allocator.errors import InputError
from allocator.loading.yamlio import load_yaml_text, strip_lines


class Expected(BaseModel):
    """What a case expects of one service; fields left out are not checked."""

    model_config = ConfigDict(extra="forbid")

    eligible: bool
    tier: int | None = None
    agency: str | None = None
    units: int | None = None
    need_score: float | None = None
    why_not: str | None = None


class NeighborhoodSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    setting: Setting = Setting.URBAN
    custodian: Agency = Agency.RELIEF_COMMITTEE
    programs: list[Program] = Field(default_factory=lambda: [Program.NEIGHBORHOODS_2020])
    province: str = "Tehran"


class RuleCase(BaseModel):
    """One test case."""

    model_config = ConfigDict(extra="forbid")

    name: str
    date: Day
    neighborhood: NeighborhoodSpec = Field(default_factory=NeighborhoodSpec)
    household: dict[str, Any]
    expect: dict[str, Expected]
    file: str = ""

    def neighborhood_model(self) -> Neighborhood:
        return Neighborhood(
            neighborhood_id=int(self.household.get("neighborhood_id", 1)),
            name="test neighborhood",
            province=self.neighborhood.province,
            county=f"{self.neighborhood.province}-01",
            setting=self.neighborhood.setting,
            custodian=self.neighborhood.custodian,
            programs=tuple(self.neighborhood.programs),
        )

    def household_data(self) -> dict[str, Any]:
        return {"household_id": 1, "neighborhood_id": 1, **self.household}


def load_cases(path: Path, root: Path | None = None) -> list[RuleCase]:
    """The cases of one file; raises :class:`InputError` naming the file and case."""
    rel = path.relative_to(root).as_posix() if root else path.name
    try:
        # dates stay text and are read by the calendar rule: 1404-03-11 is Jalali
        raw = strip_lines(load_yaml_text(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        raise InputError(f"{rel}: not valid YAML: {exc}") from None
    if not isinstance(raw, list):
        raise InputError(f"{rel}: a rule test file holds a list of cases")
    cases = []
    for i, item in enumerate(raw):
        name = item.get("name", f"case {i + 1}") if isinstance(item, dict) else f"case {i + 1}"
        try:
            cases.append(RuleCase.model_validate({**item, "file": rel}))
        except (ValidationError, TypeError) as exc:
            raise InputError(f"{rel}: {name}: {exc}") from None
    return cases


def discover(root: Path) -> list[RuleCase]:
    """Every case of every ``*.yaml`` file under ``root``, in path order."""
    return [case for path in sorted(root.rglob("*.yaml")) for case in load_cases(path, root)]
