"""Forms of the guest portal. Every message says what to do next; nothing is echoed back that the
guest did not already see."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import MAX_NIGHTS, REFERENCE_ALPHABET, REFERENCE_LENGTH, RoomType
from ..selectors import normalise_reference

_REFERENCE = re.compile(f"^[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}$")


class LookupForm(forms.Form):
    reference = forms.CharField(
        label=_("Booking reference"),
        max_length=20,
        help_text=_("10 letters and digits, as in your confirmation, e.g. ABCD-EF2345."),
        error_messages={
            "required": _("Enter your booking reference."),
            "max_length": _("A booking reference has 10 letters and digits; check what you typed."),
        },
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )
    family_name = forms.CharField(
        label=_("Family name"),
        max_length=100,
        help_text=_("As on the booking."),
        error_messages={
            "required": _("Enter the family name on the booking."),
            "max_length": _("A family name has at most 100 characters."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )

    def clean_reference(self) -> str:
        ref = normalise_reference(self.cleaned_data["reference"])
        if not _REFERENCE.match(ref):
            raise forms.ValidationError(
                _(
                    "A booking reference has 10 letters and digits (no 0, 1, I or O), e.g. ABCD-EF2345; "
                    "check what you typed."
                )
            )
        return ref

    def clean_family_name(self) -> str:
        value = self.cleaned_data["family_name"].strip()
        if not value:
            raise forms.ValidationError(_("Enter the family name on the booking."))
        return value


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter an e-mail address such as name@example.com."),
            "max_length": _("An e-mail address has at most 254 characters."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class FilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date such as 2025-05-01.")},
    )  # fmt: skip
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a date such as 2025-05-31.")},
    )  # fmt: skip
    hotel = forms.ChoiceField(label=_("Hotel"), required=False)

    def __init__(self, *args, hotels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hotel"].choices = [("", _("All hotels"))] + [(p.code, p.display_name) for p in hotels]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise forms.ValidationError(_("The end of the period must be on or after its start."))
        return data


class ChangeForm(forms.Form):
    arrival = forms.DateField(
        label=_("Arrival"), widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Enter the arrival date."), "invalid": _("Enter a date such as 2025-05-01.")},
    )  # fmt: skip
    departure = forms.DateField(
        label=_("Departure"), widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Enter the departure date."), "invalid": _("Enter a date such as 2025-05-03.")},
    )  # fmt: skip
    room_type = forms.ModelChoiceField(
        label=_("Room type"), queryset=RoomType.objects.none(),
        error_messages={"required": _("Choose a room type."), "invalid_choice": _("Choose one of the room types listed.")},
    )  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    total_shown = forms.DecimalField(
        widget=forms.HiddenInput, required=False, max_digits=12, decimal_places=2
    )

    def __init__(self, *args, booking, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room_type"].queryset = RoomType.objects.filter(
            property=booking.property,
            is_active=True,
            max_adults__gte=booking.adults,
            max_children__gte=booking.children,
        ).order_by("code")
        self.fields["room_type"].label_from_instance = lambda rt: rt.display_name

    def clean(self):
        data = super().clean()
        a, d = data.get("arrival"), data.get("departure")
        if a and d:
            if d <= a:
                raise forms.ValidationError(_("The departure must be after the arrival."))
            if (d - a).days > MAX_NIGHTS:
                raise forms.ValidationError(
                    _("A booking may have at most %(n)d nights; choose a shorter stay.") % {"n": MAX_NIGHTS}
                )
        return data


class ConfirmForm(forms.Form):
    """The cancel confirmation: the version read and the fee the guest was shown."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    fee_shown = forms.DecimalField(widget=forms.HiddenInput, max_digits=12, decimal_places=2)


class JoinForm(forms.Form):
    """Online enrolment: consent is asked per channel and never pre-ticked."""

    consent_email = forms.BooleanField(label=_("Send me member offers by e-mail"), required=False)
    consent_sms = forms.BooleanField(label=_("Send me member offers by SMS"), required=False)
    accept = forms.BooleanField(
        label=_("I want to become a member and accept the membership terms"),
        error_messages={"required": _("Tick the box to confirm that you want to become a member.")},
    )


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=_("Tell the hotel about your stay"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        help_text=_("What was good, what was not. The right department reads it and replies here."),
        error_messages={
            "required": _("Write a few words first."),
            "max_length": _("Keep it under 2,000 characters."),
        },
    )
