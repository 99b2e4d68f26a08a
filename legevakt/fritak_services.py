"""(issue 7, being written)."""


def ready() -> None:
    """Register this area's jobs, sections and deadline sources."""
