"""Domain entities: households, members, neighborhoods and their vocabularies."""

from allocator.domain.household import Household, Member, parse_household
from allocator.domain.neighborhood import Neighborhood, NeighborhoodRegistry

__all__ = ["Household", "Member", "Neighborhood", "NeighborhoodRegistry", "parse_household"]
