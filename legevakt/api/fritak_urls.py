"""Legevakt API routes: fritak (issue 7)."""

urlpatterns: list = []
