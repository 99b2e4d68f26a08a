"""Pages: see the views module of the same prefix."""

urlpatterns: list = []
