"""Legevakt pages: tilskudd (issue 7)."""

urlpatterns: list = []
