"""Issue 6 (stats): API."""

urlpatterns: list = []
