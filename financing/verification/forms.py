"""The public verification page's forms: a document's fields, its data file, or a fingerprint."""

from __future__ import annotations

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from config import form_fields
from financing.trade.normalise import FIELD_MAX_LENGTH
from financing.trade.platforms import PLATFORM_HELP, EblPlatform
from issuers.choices import Jurisdiction

StrOrPromise = str | Promise

# A fingerprint as typed: 0x and 64 hexadecimal digits, with room for spaces a copy adds.
FINGERPRINT_MAX_LENGTH = 80


def _text(
    label: StrOrPromise, *, required: bool = True, help_text: StrOrPromise = ""
) -> form_fields.CharField:
    return form_fields.CharField(
        label=label, max_length=FIELD_MAX_LENGTH, required=required, help_text=help_text
    )


class InvoiceVerifyForm(forms.Form):
    """An invoice's fields as its issuer wrote them; spelling, spacing and date formats do not matter."""

    issuer_jurisdiction = forms.ChoiceField(
        label=_("Where the issuer is registered"), choices=[("", "---------"), *Jurisdiction.choices]
    )
    issuer_registration_number = _text(_("Issuer's registration number"))
    buyer_name = _text(_("Buyer"))
    buyer_registration_number = _text(
        _("Buyer's registration number"), required=False, help_text=_("If the invoice shows it.")
    )
    invoice_number = _text(_("Invoice number"))
    amount = _text(_("Amount"), help_text=_("As on the invoice, e.g. 125,000.00"))
    currency = _text(_("Currency"), help_text=_("HKD, CNY, MOP or USD"))
    issue_date = _text(_("Issue date"), help_text=_("e.g. 2026-03-01 or 01/03/2026 (day first)"))
    due_date = _text(_("Due date"))


class BillOfLadingVerifyForm(forms.Form):
    """An electronic bill of lading's fields and the platform that holds it."""

    carrier = _text(_("Carrier"))
    vessel = _text(_("Vessel"))
    port_of_loading = _text(_("Port of loading"))
    port_of_discharge = _text(_("Port of discharge"))
    bl_number = _text(_("Bill of lading number"))
    issue_date = _text(_("Issue date"), help_text=_("e.g. 2026-03-01 or 01/03/2026 (day first)"))
    platform = forms.ChoiceField(
        label=_("eBL platform"), choices=[("", "---------"), *EblPlatform.choices], help_text=PLATFORM_HELP
    )
    control_reference = _text(_("Control reference on that platform"))


class DataFileVerifyForm(forms.Form):
    """A document's data file: JSON with the field names, or a UBL 2.1 Invoice XML for an invoice."""

    file = forms.FileField(label=_("Data file"), help_text=_("JSON, or UBL 2.1 Invoice XML for an invoice."))


class FingerprintVerifyForm(forms.Form):
    """A fingerprint someone shared (0x and 64 hexadecimal digits)."""

    fingerprint = form_fields.CharField(
        label=_("Fingerprint"),
        max_length=FINGERPRINT_MAX_LENGTH,
        help_text=_("0x followed by 64 hexadecimal digits"),
    )
