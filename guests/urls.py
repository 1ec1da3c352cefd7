"""Back-office screens of the guests app, mounted at /guests/. Every route is property-scoped."""

from django.urls import include, path

from . import views

app_name = "guests"

P = "p/<slug:property_code>/"
G = P + "<uuid:guest_id>/"

urlpatterns = [
    path(P, views.search, name="search"),
    path(P + "new/", views.create, name="create"),
    path(P + "access-requests/", views.grant_queue, name="grant-queue"),
    path(P + "access-requests/<int:grant_id>/", views.grant_decide, name="grant-decide"),
    path(P + "access-grants/<int:grant_id>/revoke/", views.grant_revoke, name="grant-revoke"),
    path(P + "break-glass/", views.break_glass_queue, name="break-glass-queue"),
    path(P + "break-glass/<int:grant_id>/review/", views.break_glass_review, name="break-glass-review"),
    path(P + "my-access/", views.my_grants, name="my-grants"),
    path(G, views.detail, name="detail"),
    path(G + "edit/", views.edit, name="edit"),
    path(G + "reveal/", views.reveal, name="reveal"),
    path(G + "tags/", views.tags, name="tags"),
    path(G + "merge/", views.merge, name="merge"),
    path(G + "request-access/", views.request_access, name="request-access"),
    path(G + "break-glass/", views.break_glass, name="break-glass"),
]

# Privacy requests (guests/privacy/), namespace guests:privacy.
urlpatterns += [path("privacy/", include("guests.privacy.urls"))]
