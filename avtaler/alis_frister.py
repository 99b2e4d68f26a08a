"""ALIS deadlines for the kommune's Frister page (kommune.frister)."""

SOURCES: list = []
