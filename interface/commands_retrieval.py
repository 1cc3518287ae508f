"""Subcommands of this stage (filled in as the stage lands)."""


def register(commands, evals, common) -> None:
    """Add this stage's subcommands."""
