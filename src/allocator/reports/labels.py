"""Labels a person can read for the ids of a run: agencies, services, neighborhoods and the
constraints whose shadow prices a report shows.

Service names come from the national ruleset, neighborhood names and provinces from the
default neighborhood registry; an id without a name is shown as it is.

Examples:
    >>> names = Names(services={"vocational_training": ("Vocational training", "آموزش فنی")},
    ...               neighborhoods={71: ("Mazandaran-02-015", "Mazandaran")})
    >>> names.shadow_label("slots", "71/vocational_training", 71, "vocational_training")
    'places of Vocational training, neighborhood Mazandaran-02-015 (Mazandaran)'
    >>> names.shadow_label("caseload", "1354", 1354, None)
    'case-file capacity of social workers, neighborhood 1354'
    >>> names.shadow_label("worker_pool_agency", "red_crescent", None, None)
    'social workers of Red Crescent Society · جمعیت هلال احمر'
    >>> names.shadow_label("budget", "", None, None)
    'budget, all agencies'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from allocator.domain.names import agency_name


@dataclass(frozen=True)
class Names:
    """Names by id: services (English, Persian) and neighborhoods (name, province)."""

    services: dict[str, tuple[str, str]] = field(default_factory=dict)
    neighborhoods: dict[int, tuple[str, str]] = field(default_factory=dict)

    def service(self, service_id: str, persian: bool = False) -> str:
        """The service's name (with its Persian name when asked); the id if unknown."""
        names = self.services.get(service_id)
        if names is None:
            return service_id
        return f"{names[0]} · {names[1]}" if persian and names[1] else names[0]

    def neighborhood(self, neighborhood_id: int | None) -> str:
        """``neighborhood NAME (Province)``, or ``neighborhood ID`` when unknown."""
        if neighborhood_id is None:
            return "neighborhood ?"
        known = self.neighborhoods.get(int(neighborhood_id))
        if known is None:
            return f"neighborhood {neighborhood_id}"
        return f"neighborhood {known[0]} ({known[1]})"

    def shadow_label(
        self, constraint: str, key: str, neighborhood_id: int | None, service_id: str | None
    ) -> str:
        """What one more unit of a constraint's resource is, in words."""
        where = self.neighborhood(neighborhood_id)
        if constraint == "slots":
            service = self.service(service_id or str(key).partition("/")[2])
            return f"places of {service}, {where}"
        if constraint == "centre_slots":
            service = self.service(service_id or str(key).partition("/")[2])
            return f"places of {service} at its county's centres, {where}"
        if constraint == "centres_total":
            return "centres, placed by the optimizer"
        if constraint == "caseload":
            return f"case-file capacity of social workers, {where}"
        if constraint == "floor":
            return f"tier-1 equity floor, {where}"
        if constraint == "budget":
            return "budget, all agencies"
        if constraint == "agency_budget":
            return f"budget of {agency_name(key)}"
        if constraint == "worker_pool_total":
            return "social workers, all agencies"
        if constraint == "worker_pool_agency":
            return f"social workers of {agency_name(key)}"
        if constraint == "worker_pool_province":
            return f"social workers in {key}"
        if constraint.startswith("quota_"):
            what = "workers" if "workers" in constraint else "budget"
            bound = "at most" if constraint.endswith("max") else "at least"
            return f"{key}'s quota of {what} ({bound})"
        return f"{constraint.replace('_', ' ')} {key}".strip()


@cache
def default_names() -> Names:
    """Names from the national ruleset and the default neighborhood registry."""
    from allocator.api.ruleset import default_rules_dir
    from allocator.errors import AllocatorError
    from allocator.loading import load_ruleset
    from allocator.reference import default_registry

    try:
        ruleset = load_ruleset(default_rules_dir())
        services = {s.id: (s.name, s.name_fa or "") for s in ruleset.services}
    except AllocatorError:
        services = {}
    neighborhoods = {n.neighborhood_id: (n.name, n.province) for n in default_registry()}
    return Names(services, neighborhoods)
