"""STUB (issue 6): to be written."""


def ready() -> None:
    """Registrations (jobs, panels, deadline sources, doctor-page sections) made from ListerConfig.ready()."""
