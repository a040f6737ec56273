"""The command-line interface: thin commands over the library (typer + rich)."""
