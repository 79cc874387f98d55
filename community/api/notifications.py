"""notifications API (see community/api/urls.py)."""

urlpatterns: list = []
