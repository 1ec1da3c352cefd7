"""Forms of the guest screens. They parse; the services validate and normalise (one place)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import ConsentChannel, DocumentType, Gender, PreferenceTag, ReviewVerdict


class SearchForm(forms.Form):
    id_number = forms.CharField(
        label=_("ID document number"),
        required=False,
        max_length=40,
        help_text=_("Exact number; finds the guest in every hotel of the group."),
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40, help_text=_("Exact number."))
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254, help_text=_("Exact address."))
    name = forms.CharField(
        label=_("Name"), required=False, max_length=100, help_text=_("Part of the name: 王伟, Smith, ...")
    )

    def __init__(self, *args, extra_criteria=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_keys = []
        needs_dates = False
        for crit in extra_criteria:
            self.fields[crit.key] = forms.CharField(label=crit.label, required=False, max_length=100)
            self.extra_keys.append(crit.key)
            needs_dates = needs_dates or crit.needs_dates
        if needs_dates:
            self.fields["date_from"] = forms.DateField(
                label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            )
            self.fields["date_to"] = forms.DateField(
                label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            )

    def criteria(self) -> dict:
        keys = ["id_number", "phone", "email", "name", *self.extra_keys]
        return {k: self.cleaned_data.get(k) or "" for k in keys}


class GuestForm(forms.Form):
    family_name = forms.CharField(label=_("Family name"), max_length=100)
    given_name = forms.CharField(label=_("Given name"), max_length=100, required=False)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial=Gender.UNSPECIFIED)
    nationality = forms.CharField(
        label=_("Nationality"), max_length=2, initial="CN", help_text=_("Two letters, e.g. CN, GB, US.")
    )
    document_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices, required=False)
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    issuing_country = forms.CharField(label=_("Issuing country"), max_length=2, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        help_text=_("With country code, e.g. +86 138 0013 8000."),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    date_of_birth = forms.CharField(
        label=_("Date of birth"),
        required=False,
        max_length=10,
        help_text=_("YYYY-MM-DD. Taken from a resident ID when left empty."),
    )
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    special_needs = forms.CharField(
        label=_("Special needs"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    tags = forms.MultipleChoiceField(
        label=_("Preference tags"), required=False, widget=forms.CheckboxSelectMultiple
    )
    marketing_consent = forms.BooleanField(label=_("Agrees to marketing messages"), required=False)
    marketing_consent_channel = forms.ChoiceField(
        label=_("Consent given"), choices=[("", "—"), *ConsentChannel.choices], required=False
    )
    staff_notes = forms.CharField(
        label=_("Staff notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_vip = forms.BooleanField(label=_("VIP"), required=False)

    def __init__(self, *args, full: bool = False, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tags"].choices = [
            (t.code, t.display_label) for t in PreferenceTag.objects.filter(is_active=True)
        ]
        if not full:
            del self.fields["staff_notes"]
            del self.fields["is_vip"]
        if editing:
            for name in ("document_number", "phone", "email", "date_of_birth"):
                self.fields[name].help_text = _("Leave empty to keep the current value.")

    def service_data(self, *, editing: bool) -> dict:
        data = dict(self.cleaned_data)
        if editing:
            for name in ("document_number", "phone", "email", "date_of_birth"):
                if not data.get(name):
                    data.pop(name, None)
        if not data.get("document_number"):
            for name in ("document_type", "issuing_country", "document_number"):
                data.pop(name, None)
        return data

    def apply_errors(self, exc: ValidationError) -> None:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for name, messages in errors.items():
            target = name if name in self.fields else None
            for m in messages:
                self.add_error(target, m)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why you need this access. It is recorded and reviewed."),
    )


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[
            ("document", _("ID number")),
            ("phone", _("Phone")),
            ("email", _("E-mail")),
            ("date_of_birth", _("Date of birth")),
        ]
    )
    document_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=ReviewVerdict.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    other = forms.UUIDField(
        label=_("Profile to merge into this one"),
        help_text=_("The guest number of the duplicate profile (from the search results)."),
    )


class TagForm(forms.Form):
    code = forms.SlugField()
    op = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove")])
