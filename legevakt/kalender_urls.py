"""Legevakt pages: kalender (issue 7)."""

urlpatterns: list = []
