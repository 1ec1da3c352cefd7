"""API routes of the guests app, mounted under /api/v1/."""

urlpatterns: list = []
