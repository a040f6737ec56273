"""Neighborhoods and the registry a household's ``neighborhood_id`` is checked against.

Examples:
    >>> n = Neighborhood(neighborhood_id=1, name="N1", province="Tehran", county="Tehran-1",
    ...                  setting=Setting.URBAN, custodian=Agency.RELIEF_COMMITTEE,
    ...                  programs=(Program.NEIGHBORHOODS_2020,))
    >>> reg = NeighborhoodRegistry([n])
    >>> reg.get(1).is_target(Program.NEIGHBORHOODS_2020)
    True
    >>> reg.get(2)
    Traceback (most recent call last):
    ...
    allocator.errors.InputError: neighborhood_id: unknown neighborhood 2
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from allocator.domain.enums import CUSTODIANS, Agency, Program, Setting
from allocator.errors import InputError


class Neighborhood(BaseModel):
    """A neighborhood (mahalleh), in the custody of one of the four agencies (seed 000)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    neighborhood_id: Annotated[int, Field(ge=1)]
    name: str
    province: str
    county: str
    setting: Setting
    custodian: Agency
    programs: tuple[Program, ...] = ()

    @model_validator(mode="after")
    def _custodian_is_agency(self) -> Self:
        if self.custodian not in CUSTODIANS:
            raise ValueError(f"custodian must be one of {[a.value for a in CUSTODIANS]}")
        return self

    def is_target(self, program: Program) -> bool:
        return program in self.programs


class NeighborhoodRegistry:
    """Look-up of neighborhoods by id."""

    def __init__(self, neighborhoods: Iterable[Neighborhood]) -> None:
        self._by_id = {n.neighborhood_id: n for n in neighborhoods}

    def get(self, neighborhood_id: int) -> Neighborhood:
        try:
            return self._by_id[neighborhood_id]
        except KeyError:
            raise InputError(
                f"neighborhood_id: unknown neighborhood {neighborhood_id}", field="neighborhood_id"
            ) from None

    def __contains__(self, neighborhood_id: object) -> bool:
        return neighborhood_id in self._by_id

    def __iter__(self) -> Iterator[Neighborhood]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)
