"""The agency service: an eligibility API, a caseworkers' page and a decision audit log.

Needs the ``web`` extra. Start it with ``allocator serve``; see ``docs/service.md``.
"""

from allocator.service.app import create_app
from allocator.service.settings import Settings

__all__ = ["Settings", "create_app"]
