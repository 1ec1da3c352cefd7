"""API routes of the members app, mounted under /api/v1/."""

urlpatterns: list = []
