"""comments pages (see community/urls.py)."""

urlpatterns: list = []
