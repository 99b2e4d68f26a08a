"""Legevakt pages: fritak (issue 7)."""

urlpatterns: list = []
