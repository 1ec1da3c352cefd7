"""API routes of the audit app, mounted under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("audit/events/", api.event_list, name="api-audit-events"),
    path("audit/alerts/", api.alert_list, name="api-audit-alerts"),
]
