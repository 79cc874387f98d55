"""notes pages (see community/urls.py)."""

urlpatterns: list = []
