"""API routes of the reservations app, mounted under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("bookings/", api.booking_list, name="api-bookings"),
    path("bookings/<uuid:booking_id>/", api.booking_detail, name="api-booking"),
    path("bookings/<uuid:booking_id>/cancel/", api.booking_cancel, name="api-booking-cancel"),
    path("bookings/<uuid:booking_id>/check-in/", api.booking_check_in, name="api-booking-check-in"),
    path("bookings/<uuid:booking_id>/check-out/", api.booking_check_out, name="api-booking-check-out"),
    path("bookings/<uuid:booking_id>/departure/", api.booking_departure, name="api-booking-departure"),
    path("bookings/<uuid:booking_id>/move/", api.booking_move, name="api-booking-move"),
    path("bookings/<uuid:booking_id>/vouchers/", api.booking_voucher, name="api-booking-voucher"),
    path("availability/", api.availability, name="api-availability"),
    path("rooms/", api.room_list, name="api-rooms"),
    path("rate-plans/", api.rate_plan_list, name="api-rate-plans"),
    path("room-blocks/", api.room_block_list, name="api-room-blocks"),
    path("room-blocks/<int:pk>/return/", api.room_block_release, name="api-room-block-release"),
]
