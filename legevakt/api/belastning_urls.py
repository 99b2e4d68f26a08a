"""Legevakt API routes: belastning (issue 7)."""

urlpatterns: list = []
