"""Forms of the members screens: parsing only; rules live in members.services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Feedback, FeedbackCategory, MembershipStatus, MessageChannel, Offer, Segment, Tier


class EnrolForm(forms.Form):
    consent_email = forms.BooleanField(label=_("Offers by e-mail"), required=False)
    consent_sms = forms.BooleanField(label=_("Offers by SMS"), required=False)


class ConsentForm(forms.Form):
    email = forms.BooleanField(label=_("Offers by e-mail"), required=False)
    sms = forms.BooleanField(label=_("Offers by SMS"), required=False)


class StoredValueForm(forms.Form):
    what = forms.ChoiceField(label=_("Operation"), choices=[("top_up", _("Top-up")), ("refund", _("Refund"))])
    amount = forms.CharField(label=_("Amount"), max_length=20)
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=60)


class AdjustForm(forms.Form):
    ledger = forms.ChoiceField(
        label=_("Ledger"), choices=[("points", _("Points")), ("stored_value", _("Stored value"))]
    )
    amount = forms.CharField(label=_("Amount or points (negative to take off)"), max_length=20)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RedeemForm(forms.Form):
    reward = forms.ChoiceField(label=_("Reward"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"room_night": _("Room night"), "dining": _("Dining"), "spa": _("Spa")}
        self.fields["reward"].choices = [
            (k, f"{labels.get(k, k)} ({v})") for k, v in settings.MEMBERS_REWARDS.items()
        ]


class VoucherIssueForm(forms.Form):
    offer = forms.ModelChoiceField(label=_("Offer"), queryset=Offer.objects.filter(is_active=True))


class TierForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = [
            "code",
            "name",
            "name_en",
            "rank",
            "min_spend",
            "min_nights",
            "discount_percent",
            "points_multiplier",
            "perks",
            "is_active",
        ]


class OfferForm(forms.ModelForm):
    class Meta:
        model = Offer
        fields = ["code", "name", "kind", "value", "min_spend", "min_tier", "valid_days", "is_active"]
        help_texts = {
            "value": _("A percentage (at most 100) or an amount in the hotel's currency."),
            "min_spend": _("The folio's charges must reach this for the voucher to be redeemed."),
            "min_tier": _("Only members of this tier or higher may redeem it; empty for every member."),
        }

    def clean(self):
        from .services import offer_problems

        d = super().clean()
        fields = ("kind", "value", "min_spend", "valid_days")
        if all(f in d for f in fields):  # a field that failed its own check already has its message
            for field, errors in offer_problems(**{f: d[f] for f in fields}).items():
                self.add_error(field, errors)
        return d


class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Name (to save)"), max_length=100, required=False)
    period_from = forms.DateField(
        label=_("Period from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_to = forms.DateField(
        label=_("Period to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    spend_over = forms.DecimalField(label=_("Spent over"), required=False, min_value=0)
    spend_under = forms.DecimalField(label=_("Spent under"), required=False, min_value=0)
    nights_min = forms.IntegerField(label=_("At least nights"), required=False, min_value=0)
    stays_min = forms.IntegerField(label=_("At least stays"), required=False, min_value=0)
    tiers = forms.ModelMultipleChoiceField(
        label=_("Tiers"), queryset=Tier.objects.all(), required=False, to_field_name="code"
    )
    tags = forms.CharField(label=_("Preference tags (codes, comma-separated)"), required=False)
    last_stay_before = forms.DateField(
        label=_("Last stay before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last_stay_after = forms.DateField(
        label=_("Last stay after"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    property = forms.CharField(label=_("Hotel code"), required=False, max_length=20)
    birthday_month = forms.IntegerField(label=_("Birthday month"), required=False, min_value=1, max_value=12)

    def criteria(self) -> dict:
        cd = dict(self.cleaned_data)
        cd.pop("name", None)
        cd["tiers"] = [t.code for t in cd.get("tiers") or []]
        return {k: v for k, v in cd.items() if v not in (None, "", [])}


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    segment = forms.ModelChoiceField(label=_("Segment"), queryset=Segment.objects.all())
    channel = forms.ChoiceField(label=_("Channel"), choices=MessageChannel.choices)
    subject = forms.CharField(label=_("Subject (e-mail)"), max_length=150, required=False)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea)
    offer = forms.ModelChoiceField(
        label=_("Voucher (optional)"), queryset=Offer.objects.filter(is_active=True), required=False
    )


class ChurnForm(forms.Form):
    period_from = forms.DateField(label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_to = forms.DateField(label=_("Period to"), widget=forms.DateInput(attrs={"type": "date"}))
    min_stays = forms.IntegerField(label=_("At least stays in the period"), min_value=1, initial=2)
    months = forms.IntegerField(label=_("None in the following months"), min_value=1, initial=6)


class FeedbackForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=Feedback.Source.choices)
    text = forms.CharField(label=_("Feedback"), widget=forms.Textarea)
    category = forms.ChoiceField(
        label=_("Category (empty: suggested from the words)"),
        choices=[("", "—"), *FeedbackCategory.choices],
        required=False,
    )


class FeedbackUpdateForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=FeedbackCategory.choices, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=Feedback.Status.choices, required=False)
    reply = forms.CharField(label=_("Reply"), widget=forms.Textarea, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=MembershipStatus.choices)
