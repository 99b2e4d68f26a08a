"""Legevakt API routes: distrikt (issue 7)."""

urlpatterns: list = []
