from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReservationsConfig(AppConfig):
    name = "reservations"
    verbose_name = _("Reservations")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from audit import changelog
        from pms.navigation import NavItem, register
        from pms.roles import Capability

        from . import models, profile

        profile.register_all()
        # The change log: references are credentials, requests and reasons are the guest's own words
        # (they may speak of health or family), so masked; document data is left out.
        changelog.register(models.Booking, masked_fields=["reference", "special_requests", "cancel_reason"])
        changelog.register(models.BookingCompanion)
        auditlog.register(
            models.StayRegistration, exclude_fields=["full_name", "doc_number", "doc_number_bidx"]
        )
        auditlog.register(models.FolioLine)
        auditlog.register(models.RoomType)
        auditlog.register(models.Room)
        auditlog.register(models.RoomBlock)
        auditlog.register(models.RatePlan)
        auditlog.register(models.RatePrice)
        auditlog.register(models.RateOverride)

        C = Capability
        for item in (
            NavItem("bookings", _("Bookings"), "reservations:booking-search", C.MANAGE_BOOKINGS, True, 20),
            NavItem("booking-new", _("New booking"), "reservations:booking-new", C.MANAGE_BOOKINGS, True, 21),
            NavItem(
                "front-desk", _("Arrivals and departures"), "reservations:frontdesk", C.CHECK_IN_OUT, True, 22
            ),
            NavItem("room-chart", _("Room chart"), "reservations:room-chart", C.CHECK_IN_OUT, True, 23),
            NavItem("housekeeping", _("Housekeeping"), "reservations:housekeeping", C.CHECK_IN_OUT, True, 24),
            NavItem("reports", _("Occupancy reports"), "reservations:reports", C.VIEW_REPORTS, True, 60),
            NavItem("forecast", _("Arrivals forecast"), "reservations:forecast", C.VIEW_REPORTS, True, 61),
            NavItem("config", _("Rooms and rates"), "reservations:config", C.CONFIGURE_PROPERTY, True, 80),
        ):
            register(item)
