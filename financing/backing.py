"""What backs a trade-finance application: its documents as the pages show them (selectors, read only).

`backing_of` reads the database only (the SME's pages, the offering page); `backing_for_review` also
reads each fingerprint's registration from the chain for compliance staff, so a reviewer sees what the
registry says now, including a document someone else registered first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.errors import Conflict, ServiceUnavailable
from financing.choices import EDITABLE_APPLICATION_STATUSES, Instrument, TradeDocumentStatus
from financing.models import Application, TradeDocument
from financing.trade.platforms import EblPlatform
from financing.trade.registry import Registration, registrations_of

# The canonical fields' labels (shown in the order the normaliser keeps them).
FIELD_LABELS: dict[str, Any] = {
    "issuer_jurisdiction": _("Issuer's jurisdiction"),
    "issuer_registration_number": _("Issuer's registration number"),
    "buyer_name": _("Buyer"),
    "buyer_registration_number": _("Buyer's registration number"),
    "invoice_number": _("Invoice number"),
    "amount": _("Amount"),
    "currency": _("Currency"),
    "issue_date": _("Issue date"),
    "due_date": _("Due date"),
    "carrier": _("Carrier"),
    "vessel": _("Vessel"),
    "port_of_loading": _("Port of loading"),
    "port_of_discharge": _("Port of discharge"),
    "bl_number": _("B/L number"),
    "platform": _("eBL platform"),
    "control_reference": _("Control reference"),
}


# Documents that back nothing: refused at registration, or left behind by a closed application.
NOT_COUNTED = (TradeDocumentStatus.REFUSED, TradeDocumentStatus.DISCARDED)


def verify_url(fingerprint_hex: str) -> str:
    """The public verification page, asking about one fingerprint."""
    return f"{reverse('verification:verify')}?{urlencode({'fingerprint': fingerprint_hex})}"


@dataclass
class DocumentRow:
    """One financed document as a page shows it."""

    document: TradeDocument
    editable: bool
    on_chain: Registration | None = None
    on_chain_is_ours: bool = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.document, name)

    @property
    def title(self) -> str:
        raw = self.document.raw_fields
        if self.document.kind == "invoice":
            return gettext("Invoice %(number)s") % {"number": raw.get("invoice_number", "")}
        return gettext("B/L %(number)s") % {"number": raw.get("bl_number", "")}

    def _date(self, name: str) -> date | None:
        """A date of the document (canonical fields hold ISO dates)."""
        value = self.document.canonical_fields.get(name)
        return date.fromisoformat(value) if value else None

    @property
    def issued(self) -> date | None:
        return self._date("issue_date")

    @property
    def due(self) -> date | None:
        return self._date("due_date")

    @property
    def raw(self) -> dict[str, Any]:
        """The fields as the SME typed them (what the SME recognises from the document)."""
        return dict(self.document.raw_fields)

    @property
    def removable(self) -> bool:
        return self.editable and self.document.status == TradeDocumentStatus.DRAFT

    @property
    def platform_name(self) -> str:
        """The eBL platform's name (a bill of lading's), or the stored value of a platform since delisted."""
        return str(dict(EblPlatform.choices).get(self.document.ebl_platform, self.document.ebl_platform))

    @property
    def verify_url(self) -> str:
        return verify_url(self.document.fingerprint)

    @property
    def canonical_rows(self) -> list[tuple[Any, str]]:
        canonical = self.document.canonical_fields
        return [(FIELD_LABELS.get(name, name), value) for name, value in canonical.items() if value]


@dataclass
class Backing:
    """The documents of one trade-finance application, and what they add up to."""

    application: Application
    documents: list[DocumentRow] = field(default_factory=list)
    chain_unavailable: bool = False

    @property
    def currency(self) -> str:
        return self.application.currency

    @property
    def face_value(self) -> Decimal:
        """The documents' face value in the application's currency."""
        return sum(
            (
                row.face_value
                for row in self.documents
                if row.currency == self.currency and row.status not in NOT_COUNTED
            ),
            Decimal("0"),
        )

    @property
    def invoices(self) -> int:
        return sum(1 for row in self.documents if row.kind == "invoice")

    @property
    def bills(self) -> int:
        return sum(1 for row in self.documents if row.kind != "invoice")

    @property
    def over_raise(self) -> bool:
        return bool(self.documents) and self.application.target_amount > self.face_value

    @property
    def all_registered(self) -> bool:
        return bool(self.documents) and all(
            row.status
            in (TradeDocumentStatus.REGISTERED, TradeDocumentStatus.RELEASING, TradeDocumentStatus.RELEASED)
            for row in self.documents
        )

    @property
    def registering(self) -> bool:
        return any(row.status == TradeDocumentStatus.REGISTERING for row in self.documents)

    @property
    def released(self) -> bool:
        return bool(self.documents) and all(
            row.status == TradeDocumentStatus.RELEASED for row in self.documents
        )


def backing_of(application: Application) -> Backing | None:
    """The documents a trade-finance application finances (None for any other instrument)."""
    if application.instrument != Instrument.TRADE:
        return None
    editable = application.status in EDITABLE_APPLICATION_STATUSES
    documents = application.trade_documents.order_by("created_at", "pk")
    return Backing(application=application, documents=[DocumentRow(doc, editable) for doc in documents])


def backing_for_review(application: Application) -> Backing | None:
    """The documents with what the chain's registry says of each fingerprint now (for compliance staff)."""
    backing = backing_of(application)
    if backing is None:
        return None
    if not backing.documents:
        return backing
    try:
        found = registrations_of([row.document.fingerprint for row in backing.documents])
    except (ServiceUnavailable, Conflict):  # the node is down, or no registry is deployed yet
        backing.chain_unavailable = True
        return backing
    for row, registration in zip(backing.documents, found, strict=True):
        row.on_chain = registration
        row.on_chain_is_ours = (
            registration is None or registration.reference_id == row.document.application_id
        )
    return backing
