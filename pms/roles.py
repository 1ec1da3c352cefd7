"""Staff roles and what each may do (DESIGN.md, "Who may see what").

A role is held per property through `StaffMembership`; the capabilities below become guardian object
permissions on that `Property` through a per-property group for each role. A membership with no
property is group-wide: its capabilities hold at every property.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", _("Front desk")
    RESERVATIONS = "reservations", _("Reservations")
    MANAGER = "manager", _("Manager")
    SUPERVISOR = "supervisor", _("Supervisor")
    MARKETING = "marketing", _("Marketing")
    IT_ADMIN = "it_admin", _("IT administrator")
    COMPLIANCE = "compliance", _("Compliance officer")


class Capability(models.TextChoices):
    """Codenames of the object permissions on `pms.Property`."""

    SEARCH_GUESTS = "search_guests", _("Search guests")
    VIEW_GUEST_BASIC = "view_guest_basic", _("See a guest's basic profile")
    VIEW_GUEST_FULL = "view_guest_full", _("See a guest's full profile and history")
    REVEAL_PERSONAL_DATA = "reveal_personal_data", _("Reveal an unmasked ID number, phone or e-mail")
    MANAGE_BOOKINGS = "manage_bookings", _("Take, change and cancel bookings")
    CHECK_IN_OUT = "check_in_out", _("Check guests in and out")
    TAKE_PAYMENTS = "take_payments", _("Take payments")
    APPROVE_ACCESS = "approve_access", _("Approve access requests and review break-the-glass")
    REVIEW_AUDIT = "review_audit", _("Review the access log")
    EXPORT_DATA = "export_data", _("Export data")
    SEGMENT_QUERIES = "segment_queries", _("Run segment queries")
    VIEW_REPORTS = "view_reports", _("See reports")
    MARKETING = "marketing", _("Run campaigns and churn analysis")
    CONFIGURE_PROPERTY = "configure_property", _("Configure room types, rooms and rates")
    MANAGE_STAFF = "manage_staff", _("Manage staff accounts")
    HANDLE_PRIVACY_REQUESTS = "handle_privacy_requests", _("Handle privacy requests")
    VIEW_OPERATIONS = "view_operations", _("See operations: backups, response times")


C = Capability

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.FRONT_DESK: frozenset(
        {C.SEARCH_GUESTS, C.VIEW_GUEST_BASIC, C.MANAGE_BOOKINGS, C.CHECK_IN_OUT, C.TAKE_PAYMENTS}
    ),
    Role.RESERVATIONS: frozenset({C.SEARCH_GUESTS, C.VIEW_GUEST_BASIC, C.MANAGE_BOOKINGS}),
    Role.MANAGER: frozenset(
        {
            C.SEARCH_GUESTS,
            C.VIEW_GUEST_BASIC,
            C.VIEW_GUEST_FULL,
            C.REVEAL_PERSONAL_DATA,
            C.MANAGE_BOOKINGS,
            C.CHECK_IN_OUT,
            C.TAKE_PAYMENTS,
            C.APPROVE_ACCESS,
            C.REVIEW_AUDIT,
            C.VIEW_REPORTS,
            C.CONFIGURE_PROPERTY,
            C.SEGMENT_QUERIES,
            C.HANDLE_PRIVACY_REQUESTS,
        }
    ),
    Role.SUPERVISOR: frozenset({C.EXPORT_DATA, C.SEGMENT_QUERIES, C.VIEW_REPORTS}),
    Role.MARKETING: frozenset({C.MARKETING, C.SEGMENT_QUERIES}),
    Role.IT_ADMIN: frozenset({C.CONFIGURE_PROPERTY, C.MANAGE_STAFF, C.VIEW_OPERATIONS}),
    Role.COMPLIANCE: frozenset({C.REVIEW_AUDIT, C.HANDLE_PRIVACY_REQUESTS, C.VIEW_OPERATIONS}),
}


def capabilities_of(role: str) -> frozenset[str]:
    return ROLE_CAPABILITIES.get(role, frozenset())
