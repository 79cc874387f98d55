"""Issue 6 (stats): pages."""

urlpatterns: list = []
