"""Issue 6 (trust): pages."""

urlpatterns: list = []
