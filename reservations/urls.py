"""Back-office screens of the reservations app (mounted at the site root: every path is under a
property). Staff URLs carry the booking's UUID, never its reference."""

from django.urls import path

from . import views

app_name = "reservations"

P = "p/<slug:property_code>/"
B = P + "bookings/<uuid:booking_id>/"

urlpatterns = [
    path(P + "bookings/", views.booking_search, name="booking-search"),
    path(P + "bookings/new/", views.booking_new, name="booking-new"),
    path(P + "bookings/quote/", views.booking_quote, name="booking-quote"),
    path(P + "bookings/guest-lookup/", views.guest_lookup, name="guest-lookup"),
    path(B, views.booking_detail, name="booking-detail"),
    path(B + "modify/", views.booking_modify, name="booking-modify"),
    path(B + "cancel/", views.booking_cancel, name="booking-cancel"),
    path(B + "check-in/", views.booking_check_in, name="booking-check-in"),
    path(B + "move/", views.booking_move, name="booking-move"),
    path(B + "departure/", views.booking_departure, name="booking-departure"),
    path(B + "companions/", views.companion_add, name="companion-add"),
    path(B + "companions/<uuid:guest_id>/remove/", views.companion_remove, name="companion-remove"),
    path(B + "check-out/", views.booking_check_out, name="booking-check-out"),
    path(B + "folio/", views.folio_post, name="folio-post"),
    path(B + "print/<slug:document>/", views.booking_print, name="booking-print"),
    path(P + "front-desk/", views.front_desk, name="frontdesk"),
    path(P + "room-chart/", views.room_chart, name="room-chart"),
    path(P + "housekeeping/", views.housekeeping, name="housekeeping"),
    path(P + "housekeeping/out-of-order/", views.room_block_new, name="room-block-new"),
    path(
        P + "housekeeping/out-of-order/<int:pk>/return/", views.room_block_release, name="room-block-release"
    ),
    path(P + "config/", views.config, name="config"),
    path(P + "config/room-types/new/", views.config_room_type, name="config-room-type-new"),
    path(P + "config/room-types/<int:pk>/", views.config_room_type, name="config-room-type"),
    path(P + "config/rooms/new/", views.config_room, name="config-room-new"),
    path(P + "config/rooms/<int:pk>/", views.config_room, name="config-room"),
    path(P + "config/rate-plans/new/", views.config_rate_plan, name="config-rate-plan-new"),
    path(P + "config/rate-plans/<int:pk>/", views.config_rate_plan, name="config-rate-plan"),
    path(
        P + "config/rate-plans/<int:pk>/overrides/", views.config_rate_override, name="config-rate-override"
    ),
    path(P + "reports/", views.reports, name="reports"),
    path(P + "reports/export.csv", views.reports_export, name="reports-export"),
    path(P + "forecast/", views.forecast, name="forecast"),
]
