"""Forms of the reservations screens: they parse and say what to fix; services decide."""

from __future__ import annotations

from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.utils.translation import gettext_lazy as _

from guests.models import DocumentType
from guests.validators import validate_document_number

from .models import (
    EXTRA_KINDS,
    PAYMENT_KINDS,
    BookingChannel,
    BookingStatus,
    Housekeeping,
    LineKind,
    RatePlan,
    Room,
    RoomType,
)

DATE = forms.DateInput(attrs={"type": "date"})


class SearchForm(forms.Form):
    reference = forms.CharField(label=_("Booking reference"), required=False, max_length=20)
    name = forms.CharField(label=_("Guest name"), required=False, max_length=100)
    arrival_from = forms.DateField(label=_("Arrival from"), required=False, widget=DATE)
    arrival_to = forms.DateField(label=_("Arrival until"), required=False, widget=DATE)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *list(BookingStatus.choices)]
    )
    property = forms.ChoiceField(label=_("Hotel"), required=False)

    def __init__(self, *args, properties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["property"].choices = [("", _("All my hotels"))] + [
            (p.code, p.display_name) for p in properties
        ]

    def has_criteria(self) -> bool:
        d = self.cleaned_data
        return any(d.get(k) for k in ("reference", "name", "arrival_from", "arrival_to", "status"))


class StayForm(forms.Form):
    """Dates, room type, plan and party: shared by the new-booking and modify screens."""

    arrival = forms.DateField(label=_("Arrival"), widget=DATE)
    departure = forms.DateField(label=_("Departure"), widget=DATE)
    adults = forms.IntegerField(label=_("Adults"), min_value=1, max_value=20, initial=1)
    children = forms.IntegerField(label=_("Children"), min_value=0, max_value=20, initial=0)
    rate_plan = forms.ModelChoiceField(label=_("Rate plan"), queryset=RatePlan.objects.none())
    room_type = forms.ModelChoiceField(label=_("Room type"), queryset=RoomType.objects.none(), required=False)

    def __init__(self, *args, property=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rate_plan"].queryset = RatePlan.objects.filter(property=property, is_active=True)
        self.fields["room_type"].queryset = RoomType.objects.filter(property=property, is_active=True)
        for name in ("arrival", "departure", "adults", "children", "rate_plan"):
            self.fields[name].widget.attrs.update({"data-quote": "1"})


class NewBookingForm(StayForm):
    guest = forms.UUIDField(required=False, widget=forms.HiddenInput)
    guest_pass = forms.CharField(required=False, widget=forms.HiddenInput)  # guests.access.document_pass
    family_name = forms.CharField(label=_("Family name (new guest)"), required=False, max_length=100)
    given_name = forms.CharField(label=_("Given name (new guest)"), required=False, max_length=100)
    phone = forms.CharField(label=_("Phone (new guest)"), required=False, max_length=40)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=BookingChannel.choices, initial=BookingChannel.PHONE
    )
    special_requests = forms.CharField(
        label=_("Special requests"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        d = super().clean()
        if not d.get("guest") and not (d.get("family_name") or "").strip():
            raise forms.ValidationError(_("Find the guest, or enter a new guest's family name."))
        if not d.get("room_type"):
            self.add_error("room_type", _("Choose a room type."))
        return d


class ModifyForm(StayForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    total_shown = forms.DecimalField(
        widget=forms.HiddenInput, required=False, max_digits=12, decimal_places=2
    )
    special_requests = forms.CharField(
        label=_("Special requests"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class CheckInForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    room = forms.ModelChoiceField(
        label=_("Room"), queryset=Room.objects.none(), required=False, empty_label=_("First clean free room")
    )

    def __init__(self, *args, rooms=None, adults=1, **kwargs):
        super().__init__(*args, **kwargs)
        if rooms is not None:
            self.fields["room"].queryset = rooms
        self.adults = adults
        for i in range(1, adults + 1):
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("Adult %(i)d: name as on the document") % {"i": i}, max_length=200
            )
            self.fields[f"doc_type_{i}"] = forms.ChoiceField(
                label=_("Adult %(i)d: document type") % {"i": i}, choices=DocumentType.choices
            )
            self.fields[f"number_{i}"] = forms.CharField(
                label=_("Adult %(i)d: document number") % {"i": i},
                max_length=40,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
            self.fields[f"nationality_{i}"] = forms.CharField(
                label=_("Adult %(i)d: nationality (ISO code)") % {"i": i}, max_length=2, initial="CN"
            )


class MoveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    room = forms.ModelChoiceField(label=_("New room"), queryset=Room.objects.none())
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=200,
        help_text=_("For the stay's room history, e.g. upgrade, noise, air conditioning."),
    )

    def __init__(self, *args, rooms=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rooms is not None:
            self.fields["room"].queryset = rooms


class CompanionForm(forms.Form):
    doc_type = forms.ChoiceField(
        label=_("Document"), choices=DocumentType.choices, initial=DocumentType.PRC_ID
    )
    number = forms.CharField(label=_("Document number"), max_length=40)

    def clean(self):
        d = super().clean()
        if d.get("doc_type") and d.get("number"):
            try:
                d["number"] = validate_document_number(d["doc_type"], d["number"])
            except forms.ValidationError as exc:
                self.add_error("number", exc)
        return d


class DepartureForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    departure = forms.DateField(
        label=_("New departure"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD.")},
    )


class ChargeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Charge for"), choices=[(k.value, k.label) for k in EXTRA_KINDS])
    amount = forms.DecimalField(label=_("Amount"), min_value=0.01, max_digits=10, decimal_places=2)
    description = forms.CharField(label=_("Note"), required=False, max_length=200)


class PaymentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Paid by"),
        choices=[(k.value, LineKind(k).label) for k in PAYMENT_KINDS],
    )
    amount = forms.DecimalField(label=_("Amount"), min_value=0.01, max_digits=10, decimal_places=2)
    description = forms.CharField(label=_("Note"), required=False, max_length=200)


# "Out of order" is not set by hand: it comes with a period (RoomBlockForm) that takes the room out of sale.
STATUS_CHOICES = [(v, label) for v, label in Housekeeping.choices if v != Housekeeping.OUT_OF_ORDER]


class HousekeepingForm(forms.Form):
    room = forms.IntegerField(widget=forms.HiddenInput)
    housekeeping = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES)


class RoomBlockForm(forms.Form):
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none())
    start = forms.DateField(
        label=_("Out of order from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD.")},
    )
    end = forms.DateField(
        label=_("Back in order on"),
        help_text=_("The first night the room is sold again."),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD.")},
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, rooms=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rooms is not None:
            self.fields["room"].queryset = rooms


class RoomTypeForm(forms.ModelForm):
    class Meta:
        model = RoomType
        fields = ["code", "name", "name_en", "max_adults", "max_children", "description", "is_active"]


class RoomForm(forms.ModelForm):
    features = SimpleArrayField(
        forms.CharField(max_length=40), label=_("Features (comma separated)"), required=False
    )

    class Meta:
        model = Room
        fields = ["number", "floor", "room_type", "features", "housekeeping", "is_active"]

    def __init__(self, *args, property=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room_type"].queryset = RoomType.objects.filter(property=property)


class RatePlanForm(forms.ModelForm):
    class Meta:
        model = RatePlan
        fields = ["code", "name", "name_en", "meal_plan", "free_cancel_hours", "is_active"]

    def __init__(self, *args, room_types=(), prices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.room_types = list(room_types)
        for rt in self.room_types:
            self.fields[f"price_{rt.pk}"] = forms.DecimalField(
                label=_("Nightly price: %(type)s") % {"type": rt.display_name},
                required=False,
                min_value=0,
                max_digits=10,
                decimal_places=2,
                initial=(prices or {}).get(rt.pk),
            )

    def prices(self) -> dict:
        return {rt.pk: self.cleaned_data.get(f"price_{rt.pk}") for rt in self.room_types}


class OverrideForm(forms.Form):
    room_type = forms.ModelChoiceField(label=_("Room type"), queryset=RoomType.objects.none())
    start = forms.DateField(label=_("First night"), widget=DATE)
    end = forms.DateField(label=_("Last night"), widget=DATE)
    price = forms.DecimalField(
        label=_("Nightly price"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    closed = forms.BooleanField(label=_("Closed for sale"), required=False)

    def __init__(self, *args, property=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room_type"].queryset = RoomType.objects.filter(property=property)


class ReportForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("Until (exclusive)"), widget=DATE)
    by = forms.ChoiceField(label=_("Per"), choices=[("day", _("Day")), ("month", _("Month"))], initial="day")


class VoucherForm(forms.Form):
    code = forms.CharField(
        label=_("Voucher code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
