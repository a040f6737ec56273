"""The ``allocator synth`` command."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from allocator.cli.commands_synth import synth
from allocator.outputs import verify_dir

app = typer.Typer()
app.command("synth")(synth)


@app.callback()
def _root() -> None:
    """A group, as the real app is once all commands are registered."""


def test_synth_tiny(tmp_path: Path) -> None:
    out = tmp_path / "tiny"
    result = CliRunner().invoke(
        app, ["synth", "--preset", "tiny", "--seed", "3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "households" in result.output and "2,000" in result.output
    assert (out / "households.parquet").exists()


def test_bad_preset_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["synth", "--preset", "mars", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown preset 'mars'" in result.output


def test_non_empty_dir_needs_force(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    args = ["synth", "--preset", "tiny", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "--force" in result.output
    assert CliRunner().invoke(app, [*args, "--force"]).exit_code == 0
    # --force replaces the directory as a whole: nothing of the old content is mixed in
    assert not (tmp_path / "keep.txt").exists() and (tmp_path / "members.parquet").exists()
    assert verify_dir(tmp_path) == []
