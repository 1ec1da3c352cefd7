from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Property, StaffMembership, validate_network
from .roles import Role


class PropertyForm(forms.ModelForm):
    class Meta:
        model = Property
        fields = [
            "code",
            "name",
            "name_en",
            "time_zone",
            "currency",
            "address",
            "address_en",
            "phone",
            "is_active",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "address_en": forms.Textarea(attrs={"rows": 2}),
        }


class NetworksField(forms.CharField):
    def to_python(self, value):
        items = [v.strip() for v in (value or "").replace(",", "\n").splitlines() if v.strip()]
        for item in items:
            validate_network(item)
        return items

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value


class MembershipForm(forms.ModelForm):
    allowed_networks = NetworksField(
        label=_("Allowed networks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One network per line, e.g. 10.20.0.0/16. Leave empty to allow any network."),
    )

    class Meta:
        model = StaffMembership
        fields = ["property", "role", "is_active", "allowed_from", "allowed_until", "allowed_networks"]
        widgets = {
            "allowed_from": forms.TimeInput(attrs={"type": "time"}),
            "allowed_until": forms.TimeInput(attrs={"type": "time"}),
        }
        help_texts = {"allowed_from": _("Optional: the earliest log-in time, in the hotel's time zone.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["property"].empty_label = _("All hotels (group-wide)")
        self.fields["property"].required = False


class StaffCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("Given name"), max_length=150)
    last_name = forms.CharField(label=_("Family name"), max_length=150)
    email = forms.EmailField(label=_("Work e-mail"))
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        min_length=10,
        help_text=_("At least 10 characters, not only digits. Give it to the person in private."),
    )
    property = forms.ModelChoiceField(
        label=_("Hotel"),
        queryset=Property.objects.filter(is_active=True),
        required=False,
        empty_label=_("All hotels (group-wide)"),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
