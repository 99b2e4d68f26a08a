"""Legevakt pages: distrikt (issue 7)."""

urlpatterns: list = []
