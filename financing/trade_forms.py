"""Forms of the trade-finance pages: the invoices and electronic bills of lading an application finances.

The fields are what the document itself says, typed as the SME reads them off it; the service
normalises them (case, spacing, punctuation, leading zeros) and fingerprints the result, so the form
only checks what a person can fix at once (a date, a number, a required field).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from config import form_fields
from config.errors import ApplicationError
from config.forms import apply_errors
from config.text import NAME_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from financing.choices import Currency
from financing.trade.platforms import EblPlatform
from issuers.choices import Jurisdiction

DATE = form_fields.DayMonthYearInput()
CURRENCY_CHOICES = [(c.value, c.value) for c in Currency]


def _text(
    label: Any, help_text: Any = "", *, max_length: int = SHORT_TEXT_MAX_LENGTH, required: bool = True
) -> forms.CharField:
    return form_fields.CharField(
        max_length=max_length,
        label=label,
        help_text=help_text,
        required=required,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def _amount(label: Any, help_text: Any) -> forms.DecimalField:
    return form_fields.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal("0.01"),
        label=label,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
    )


class TradeDocumentForm(forms.Form):
    """One document's fields, as the service takes them (dates ISO, amounts plain decimals)."""

    kind: ClassVar[str]
    prefix_name: ClassVar[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)

    def service_kwargs(self) -> dict[str, Any]:
        """The service's arguments: the kind, the fields as text (dates ISO) and, for a bill, its value."""
        fields: dict[str, str] = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "") or name == "value":
                continue
            fields[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
        kwargs: dict[str, Any] = {"kind": self.kind, "fields": fields}
        if "value" in self.cleaned_data:
            kwargs["value"] = str(self.cleaned_data["value"])
        return kwargs

    def apply_errors(self, exc: ApplicationError) -> None:
        """Show a service refusal next to the fields it names; one about the whole document (already
        financed: its fingerprint is taken) on top of the form, above the fields as typed."""
        apply_errors(self, exc)


class InvoiceForm(TradeDocumentForm):
    """An invoice the company issued to its buyer, financed until the buyer pays it."""

    kind = "invoice"
    prefix_name = "invoice"

    issuer_jurisdiction = forms.ChoiceField(
        choices=Jurisdiction.choices,
        label=_("Where your company is registered"),
        help_text=_("The jurisdiction of the company that issued the invoice."),
    )
    issuer_registration_number = _text(
        _("Your company's registration number"),
        _("As printed on the invoice: the number of the company that issued it."),
    )
    buyer_name = _text(
        _("Buyer"), _("The company that owes the money, as named on the invoice."), max_length=NAME_MAX_LENGTH
    )
    buyer_registration_number = _text(
        _("Buyer's registration number"), _("If the invoice shows it."), required=False
    )
    invoice_number = _text(_("Invoice number"))
    currency = forms.ChoiceField(choices=CURRENCY_CHOICES, initial=Currency.HKD, label=_("Currency"))
    amount = _amount(_("Amount"), _("The invoice total the buyer owes."))
    issue_date = form_fields.DateField(widget=DATE, label=_("Issue date"))
    due_date = form_fields.DateField(
        widget=DATE, label=_("Due date"), help_text=_("When the buyer must pay.")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        issued, due = data.get("issue_date"), data.get("due_date")
        if issued and due and due < issued:
            self.add_error("due_date", _("The due date cannot be before the issue date."))
        return data


class BillOfLadingForm(TradeDocumentForm):
    """An electronic bill of lading: it lives on an approved eBL platform, which says who controls it."""

    kind = "bill_of_lading"
    prefix_name = "bl"

    carrier = _text(_("Carrier"), _("The shipping line that issued the bill."), max_length=NAME_MAX_LENGTH)
    vessel = _text(_("Vessel"), max_length=NAME_MAX_LENGTH)
    port_of_loading = _text(_("Port of loading"), max_length=NAME_MAX_LENGTH)
    port_of_discharge = _text(_("Port of discharge"), max_length=NAME_MAX_LENGTH)
    bl_number = _text(_("B/L number"))
    issue_date = form_fields.DateField(widget=DATE, label=_("Date of issue"))
    value = _amount(
        _("Value of the goods"),
        _("The invoice value of the cargo the bill covers, in the application's currency."),
    )
    platform = forms.ChoiceField(
        choices=[("", _("Choose the platform")), *EblPlatform.choices],
        label=_("eBL platform"),
        help_text=_("The approved platform that holds the electronic bill of lading."),
    )
    control_reference = _text(
        _("Control reference on the platform"),
        _("The platform's reference for the bill, so anyone can check who controls it there."),
    )


FORMS: dict[str, type[TradeDocumentForm]] = {form.kind: form for form in (InvoiceForm, BillOfLadingForm)}
