"""Issue 6 (links): API."""

urlpatterns: list = []
