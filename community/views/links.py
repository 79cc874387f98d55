"""Issue 6 (links): pages."""

urlpatterns: list = []
