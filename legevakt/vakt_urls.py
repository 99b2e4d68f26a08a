"""Legevakt pages: vakt (issue 7)."""

urlpatterns: list = []
