from django.urls import path

from . import admin_views

app_name = "staff_admin"
urlpatterns = [
    path("hotels/", admin_views.property_list, name="property_list"),
    path("hotels/new/", admin_views.property_edit, name="property_create"),
    path("hotels/<slug:code>/", admin_views.property_edit, name="property_edit"),
    path("staff/", admin_views.staff_list, name="staff_list"),
    path("staff/new/", admin_views.staff_create, name="staff_create"),
    path("staff/<int:user_id>/", admin_views.staff_detail, name="staff_detail"),
    path("staff/<int:user_id>/roles/new/", admin_views.membership_edit, name="membership_create"),
    path(
        "staff/<int:user_id>/roles/<int:membership_id>/", admin_views.membership_edit, name="membership_edit"
    ),
    path("staff/<int:user_id>/active/", admin_views.staff_set_active, name="staff_set_active"),
]
