"""Legevakt API routes: vakt (issue 7)."""

urlpatterns: list = []
