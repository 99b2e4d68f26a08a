"""Legevakt API routes: flags of the nightly overload job (issue 7)."""

urlpatterns: list = []
