"""Back-office screens of the audit app."""

from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("events/", views.event_list, name="events"),
    path("events/export.csv", views.export_csv, name="export"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("guests/<uuid:guest_id>/", views.guest_timeline, name="guest"),
    path("staff/<int:user_id>/", views.staff_activity, name="staff"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert"),
    path("alerts/<int:pk>/suspend/", views.alert_suspend, name="alert_suspend"),
]
