"""Issue 6 (recommendations, demand): API."""

urlpatterns: list = []
