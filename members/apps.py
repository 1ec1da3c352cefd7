from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from audit.changelog import register as changelog

        from . import models, profile

        profile.register_all()
        self._settlement()
        changelog(models.Membership, masked_fields=["card_number"])
        changelog(models.Tier)
        changelog(models.Offer)
        changelog(models.StoredValueAdjustment)
        changelog(models.Feedback, masked_fields=["text", "reply"])
        changelog(models.Voucher, masked_fields=["code"])
        self._navigation()

    def _settlement(self) -> None:
        from reservations import settlement

        from . import jobs, services

        settlement.register(
            settlement.Hooks(
                pays_with=("stored_value", "points"),
                payment_posted=services.folio_payment_debit,
                nights_posted=services.settlement_discount_sync,
                checked_out=jobs.stay_settled,
                redeem_code=services.voucher_redeem,
            )
        )

    def _navigation(self) -> None:
        from pms.navigation import NavItem, register
        from pms.roles import Capability as C

        for item in (
            NavItem("members", _("Members"), "members:list", C.VIEW_GUEST_BASIC, True, 30),
            NavItem("member-feedback", _("Feedback"), "members:feedback", C.VIEW_GUEST_BASIC, True, 31),
            NavItem(
                "member-approvals",
                _("Stored-value approvals"),
                "members:approvals",
                C.APPROVE_ACCESS,
                True,
                32,
            ),
            NavItem("member-tiers", _("Member tiers"), "members:tiers", C.APPROVE_ACCESS, True, 81),
            NavItem(
                "member-reconciliation",
                _("Stored-value reconciliation"),
                "members:reconciliation",
                C.VIEW_REPORTS,
                True,
                62,
            ),
            NavItem("member-segments", _("Segments"), "members:segments", C.SEGMENT_QUERIES, False, 70),
            NavItem("member-campaigns", _("Campaigns"), "members:campaigns", C.SEGMENT_QUERIES, False, 71),
            NavItem("member-offers", _("Offers"), "members:offers", C.MARKETING, False, 73),
            NavItem("member-churn", _("Churn"), "members:churn", C.SEGMENT_QUERIES, False, 72),
        ):
            register(item)
