"""API routes of the reservations app, mounted under /api/v1/."""

urlpatterns: list = []
