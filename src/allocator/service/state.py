"""What one service process holds: the store, the ruleset and its engine, the limits.

The engine work (decide, record) runs here, outside the web layer, so that the routes stay
thin and the same calls can be tested without HTTP.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
from pydantic import TypeAdapter
from sqlalchemy.exc import SQLAlchemyError

from allocator.api.ruleset import RuleSet, default_rules_dir
from allocator.backends.explained import ExplainedBackend
from allocator.backends.registry import explaining_backend
from allocator.decisions.forms import texts_once
from allocator.decisions.model import Decision
from allocator.decisions.serialize import decision_json
from allocator.domain.household import Household, parse_household
from allocator.domain.neighborhood import Neighborhood, NeighborhoodRegistry
from allocator.errors import RuleSetError
from allocator.loading import load_ruleset
from allocator.loading.lock import lock_problems
from allocator.service.chain import canonical_json
from allocator.service.ids import new_decision_id
from allocator.service.limits import RateLimiter
from allocator.service.samples import sample_texts
from allocator.service.settings import Settings
from allocator.service.store import NewDecision, Prepared, Row, Store, decode, prepare
from allocator.service.stored import TextDictionary
from allocator.service.tokens import Principal, find_principal
from allocator.service.writer import GroupWriter

#: Seconds a looked-up token stays cached: a revoked token is refused after at most this.
TOKEN_CACHE_SECONDS = 10.0
#: Seconds before the dictionary is tried again when the database could not record it.
DICTIONARY_RETRY_SECONDS = 60.0

log = logging.getLogger("allocator.service")


_DECISION = TypeAdapter(Decision)


def as_json(decision: Decision) -> dict[str, Any]:
    """``decision.to_dict()`` as JSON data (lists, not tuples), built by pydantic-core:
    the same content, ten times faster than ``dataclasses.asdict``."""
    data: dict[str, Any] = _DECISION.dump_python(decision, mode="json")
    return data


def input_text(household: Household) -> str:
    """The household's JSON as the chain records it (:func:`~allocator.service.chain
    .canonical_json`: sorted keys, no spaces, UTF-8), written by orjson: the same text,
    because a household holds no float (where the two would differ: 1e-07 against 1e-7),
    which a test checks on the model's schema. An integer beyond 64 bits goes the standard
    library's way."""
    data = household.model_dump(mode="json")
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()
    except TypeError:  # orjson.JSONEncodeError
        return canonical_json(data)


def _outcomes(decision: Decision) -> list[tuple[str, bool, int | None]]:
    return [(s.service_id, s.eligible, s.tier if s.eligible else None) for s in decision.services]


@dataclass
class ServiceState:
    """The long-lived objects of one app."""

    settings: Settings
    store: Store
    ruleset: RuleSet
    backend: ExplainedBackend
    registry: NeighborhoodRegistry
    limiter: RateLimiter
    writer: GroupWriter
    auth_failures: RateLimiter
    _tokens: dict[str, tuple[Principal, float]] = field(default_factory=dict)
    _tokens_lock: threading.Lock = field(default_factory=threading.Lock)
    _dictionary: TextDictionary | None = None
    _dictionary_due: float = 0.0  # when to (try to) make it: now, later, or never (inf)
    _dictionary_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls, settings: Settings) -> ServiceState:
        """Load the ruleset, open the database (creating tables if asked)."""
        from allocator.reference import default_registry

        root = settings.rules_dir or default_rules_dir()
        ruleset = load_ruleset(root)
        if locked := lock_problems(root, ruleset):  # one version, one set of rules
            raise RuleSetError(locked)
        store = Store(settings.database_url())
        if settings.create_tables:
            store.create_tables()
        state = cls(
            settings=settings,
            store=store,
            ruleset=ruleset,
            backend=explaining_backend(settings.engine, ruleset),
            registry=settings.registry or default_registry(),
            limiter=RateLimiter(settings.rate_per_second, settings.burst),
            writer=GroupWriter(store),
            auth_failures=RateLimiter(
                settings.auth_failures_per_minute / 60.0, settings.auth_failures_per_minute
            ),
        )
        state.text_dictionary()  # made now rather than in the first request
        return state

    def text_dictionary(self) -> TextDictionary | None:
        """The dictionary this process packs decision texts against
        (:mod:`allocator.service.stored`), made of :mod:`sample decisions
        <allocator.service.samples>` and recorded on first use. None where the database
        stores texts as they are, or while it cannot record the dictionary (tried again
        :data:`DICTIONARY_RETRY_SECONDS` later): the texts are then stored unpacked."""
        if self._dictionary is not None or time.monotonic() < self._dictionary_due:
            return self._dictionary
        with self._dictionary_lock:
            if self._dictionary is None and time.monotonic() >= self._dictionary_due:
                try:
                    sample = sample_texts(self.backend, self.registry, decision_json, date.today())
                    self._dictionary = self.store.text_dictionary(sample)
                    if self._dictionary is None:
                        self._dictionary_due = math.inf
                except SQLAlchemyError as exc:
                    self._dictionary_due = time.monotonic() + DICTIONARY_RETRY_SECONDS
                    log.warning("decision texts stored unpacked for now: %s", type(exc).__name__)
        return self._dictionary

    def cached_principal(self, secret: str) -> Principal | None:
        """The principal of a token looked up less than :data:`TOKEN_CACHE_SECONDS` ago
        (no database access: safe to call on the event loop), else ``None``."""
        with self._tokens_lock:
            cached = self._tokens.get(secret)
        return cached[0] if cached is not None and cached[1] > time.monotonic() else None

    def principal(self, secret: str) -> Principal | None:
        """The principal of a bearer token (cached briefly), or ``None``."""
        cached = self.cached_principal(secret)
        if cached is not None:
            return cached
        now = time.monotonic()
        found = find_principal(self.store, secret)
        if found is not None:
            with self._tokens_lock:
                if len(self._tokens) > 10_000:
                    self._tokens.clear()
                self._tokens[secret] = (found, now + TOKEN_CACHE_SECONDS)
        return found

    def headers(self) -> dict[str, str]:
        """The ruleset headers every response carries."""
        return {"X-Ruleset-Version": self.ruleset.version, "X-Ruleset-Hash": self.ruleset.hash}

    def neighborhood_of(self, household: Household) -> Neighborhood:
        """The household's neighborhood (``InputError`` if the registry has none)."""
        return self.registry.get(household.neighborhood_id)

    def prepare_decision(
        self, household: Household, neighborhood: Neighborhood, day: date
    ) -> tuple[Prepared, bytes]:
        """Decide and serialize a decision for the chain; returns it and its output JSON
        (UTF-8, as sent)."""
        decision = self.backend.decide(household, neighborhood, day)
        # The decision's JSON, written once by pydantic-core: stored in the chain and sent.
        sent = decision_json(decision)
        output = sent.decode("utf-8")
        prepared = prepare(
            NewDecision(
                decision_id=new_decision_id(),
                household_id=household.household_id,
                neighborhood_id=household.neighborhood_id,
                custodian=neighborhood.custodian.value,
                ruleset=self.ruleset.identity(),
                decision_date=day.isoformat(),
                input=input_text(household),
                output=output,
                outcomes=_outcomes(decision),
            ),
            None if (dictionary := self.text_dictionary()) is None else dictionary.pack(sent),
        )
        return prepared, sent

    def decide_and_record(
        self, household: Household, neighborhood: Neighborhood, day: date
    ) -> tuple[Row, dict[str, Any]]:
        """Decide, then append the decision to the audit chain; returns the row and output."""
        prepared, output = self.prepare_decision(household, neighborhood, day)
        row = self.writer.submit(prepared).result()
        return row, json.loads(output)

    def replay(self, row: Row) -> tuple[dict[str, Any], dict[str, Any]]:
        """Re-evaluate a stored decision's input now; returns (stored, new) outputs."""
        stored_input, stored_output = decode(row)
        stored_output = texts_once(stored_output)  # recorded before the texts were given once
        household = parse_household(stored_input)
        neighborhood = self.registry.get(household.neighborhood_id)
        day = date.fromisoformat(row["decision_date"])
        return stored_output, as_json(self.backend.decide(household, neighborhood, day))
