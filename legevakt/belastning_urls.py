"""Legevakt pages: belastning (issue 7)."""

urlpatterns: list = []
