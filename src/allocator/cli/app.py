"""The ``allocator`` command: the typer app of :mod:`.root` with every command module.

Each command module adds its commands to the app on import, and imports the app from
:mod:`.root`, not from here: this module sits above them all, so there is no import cycle.
"""

from __future__ import annotations

from allocator.cli import (  # noqa: F401  (each module registers its commands on import)
    commands_check,
    commands_classify,
    commands_import,
    commands_report,
    commands_rules,
    commands_run,
    commands_serve,
    commands_sweep,
    commands_synth,
    commands_verify,
)
from allocator.cli.root import app

__all__ = ["app", "main"]


def _register() -> None:
    """Nothing left to do: the commands are registered when this module is imported."""


def main() -> None:
    """Entry point of the console script."""
    app()
