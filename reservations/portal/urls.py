"""The guest portal's addresses, mounted at the site root. Paths start with /my-booking (the
request context's self-service prefix); none carries personal data."""

from django.urls import path

from . import views

app_name = "portal"

B = "my-booking/<uuid:booking_id>/"

urlpatterns = [
    path("my-booking/", views.lookup, name="lookup"),
    path("my-booking/sign-out/", views.sign_out, name="sign-out"),
    path(B, views.booking, name="booking"),
    path(B + "print/", views.booking_print, name="print"),
    path(B + "booking.ics", views.booking_ics, name="ics"),
    path(B + "cancel/", views.cancel, name="cancel"),
    path(B + "change/", views.change, name="change"),
    path(B + "feedback/", views.feedback, name="feedback"),
    path("my-bookings/", views.bookings_request, name="bookings-request"),
    path("my-bookings/sign-in/<str:token>/", views.sign_in, name="sign-in"),
    path("my-bookings/list/", views.bookings, name="bookings"),
    path("my-bookings/my-data/", views.my_data, name="my-data"),
    path("my-bookings/membership/", views.membership, name="membership"),
]
