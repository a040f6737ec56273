"""The ``allocator`` command: the typer app of :mod:`.root` with every command module.

Each command module adds its commands to the app on import, and imports the app from
:mod:`.root`, not from here: this module sits above them all, so there is no import cycle.
"""

from __future__ import annotations

from typing import Any

from allocator.cli import (  # noqa: F401  (each module registers its commands on import)
    commands_check,
    commands_classify,
    commands_compare,
    commands_import,
    commands_reconcile,
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


def _flags_without_type() -> None:
    """Show flags as flags in ``--help``: typer's help prints ``--json <bool>`` for every
    boolean flag (``--help`` included) as if it took a value; a flag has no value to show."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich
    if getattr(shown, "flags_without_type", False):
        return

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        if self.is_flag and not self.count:
            return None
        result: str | None = shown(self, ctx)
        return result

    display_type_rich.flags_without_type = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


def _register() -> None:
    """Adjust typer's help once; the commands are registered when this module is imported."""
    _flags_without_type()


def main() -> None:
    """Entry point of the console script."""
    _register()
    app()
