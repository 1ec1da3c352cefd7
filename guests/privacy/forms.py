"""Forms of the privacy-request screens. They parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PrivacyChannel, PrivacyRequestType, PrivacyStatus, RefusalReason

STAFF_CHANNELS = [c for c in PrivacyChannel.choices if c[0] != PrivacyChannel.ONLINE]


class RegisterForm(forms.Form):
    property = forms.ChoiceField(label=_("Hotel"))
    type = forms.ChoiceField(label=_("Type"), choices=PrivacyRequestType.choices)
    channel = forms.ChoiceField(label=_("Received"), choices=STAFF_CHANNELS)
    claimed_name = forms.CharField(label=_("Name the requester gave"), max_length=200, required=False)
    contact = forms.CharField(
        label=_("Phone or e-mail to answer at"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    details = forms.CharField(
        label=_("What was asked"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, properties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["property"].choices = [(p.code, p.name) for p in properties]


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *PrivacyStatus.choices], required=False
    )
    type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Any")), *PrivacyRequestType.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("Any")), *PrivacyChannel.choices], required=False
    )
    property = forms.CharField(label=_("Hotel code"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class VerifyDetailsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(
        label=_("Phone"), max_length=40, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    room_number = forms.CharField(label=_("Room number"), max_length=10)
    arrival = forms.DateField(label=_("Arrival"), widget=forms.DateInput(attrs={"type": "date"}))
    departure = forms.DateField(label=_("Departure"), widget=forms.DateInput(attrs={"type": "date"}))


class VerifyDocumentForm(forms.Form):
    document_number = forms.CharField(
        label=_("Identity document number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    booking_reference = forms.CharField(label=_("Booking reference"), max_length=12)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    refusal_reason = forms.ChoiceField(
        label=_("Reason for a refusal"), choices=[("", "—"), *RefusalReason.choices], required=False
    )
    text = forms.CharField(
        label=_("Explanation (required to refuse; the guest reads it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("What the guest says in their appeal"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AuthorisationForm(forms.Form):
    document_number = forms.CharField(
        label=_("The other guest's document number (as on the authorisation)"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    note = forms.CharField(
        label=_("The written authorisation: signed by, date, where filed"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FulfilForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply to the requester"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    family_name = forms.CharField(label=_("Corrected family name"), required=False)
    given_name = forms.CharField(label=_("Corrected given name"), required=False)
    phone = forms.CharField(
        label=_("Corrected phone"), required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = forms.CharField(
        label=_("Corrected e-mail"), required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    address = forms.CharField(label=_("Corrected address"), required=False)
    date_of_birth = forms.CharField(label=_("Corrected date of birth (YYYY-MM-DD)"), required=False)

    def correction(self) -> dict:
        keys = ("family_name", "given_name", "phone", "email", "address", "date_of_birth")
        return {k: self.cleaned_data[k] for k in keys if self.cleaned_data.get(k)}
