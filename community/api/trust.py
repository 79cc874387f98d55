"""Issue 6 (trust): API."""

urlpatterns: list = []
