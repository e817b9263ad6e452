"""Offering documents: the issuer or staff attach them, investors open them before subscribing."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.choices import STAFF_ROLES, Role
from accounts.models import User
from compliance.audit import audit_record
from config.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from config.uploads import checked_upload, store_checked
from financing.choices import OfferingDocumentKind, OfferingStatus
from financing.locks import lock_offering
from financing.models import OfferingDocument, OfferingDocumentOpen
from financing.selectors import offering_documents_visible_to

# Documents may be attached until the offering closes; after that they are the record investors relied on.
DOCUMENT_EDITABLE_STATUSES = (OfferingStatus.PREPARING, OfferingStatus.READY, OfferingStatus.OPEN)


@transaction.atomic
def offering_document_upload(
    *, actor: User, offering_id: int, kind: str, title: str, upload: UploadedFile
) -> OfferingDocument:
    """Attach a document to an offering (the issuer's SME or staff); a second of the same kind is its
    next version, which investors must open again before they subscribe."""
    if actor.role != Role.SME and actor.role not in STAFF_ROLES:
        raise PermissionDenied(_("Only the issuer or staff attach offering documents."))
    if kind not in OfferingDocumentKind.values:
        raise ValidationFailed(_("Choose what the document is."), fields={"kind": _("Choose a kind.")})
    title = title.strip()
    if not title:
        raise ValidationFailed(
            _("Give the document a title."), fields={"title": _("This field is required.")}
        )
    offering = lock_offering(offering_id, related=("application__company",))
    if actor.role == Role.SME and offering.application.company.representative_id != actor.pk:
        raise NotFound(_("No such offering."))
    if offering.status not in DOCUMENT_EDITABLE_STATUSES:
        raise Conflict(
            _(
                "The offering is %(status)s: its documents are the record investors relied on and "
                "cannot change."
            )
            % {"status": offering.get_status_display().lower()}
        )
    checked = checked_upload(upload)
    version = (
        OfferingDocument.objects.filter(offering=offering, kind=kind).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    document = store_checked(
        OfferingDocument(
            offering=offering,
            kind=kind,
            title=title,
            version=version,
            uploaded_by=actor,
        ),
        checked,
        upload,
    )
    audit_record(
        actor=actor,
        action="offering_document_uploaded",
        obj=document,
        data={
            "offering": offering.pk,
            "kind": kind,
            "version": version,
            "sha256": checked.sha256,
            "name": checked.name,
        },
    )
    return document


def offering_document_open(*, user: User, document_id: int) -> OfferingDocument:
    """The document if `user` may see its offering (NotFound otherwise); an investor's first opening of
    each version is recorded, since they must have opened every current document to subscribe."""
    document = offering_documents_visible_to(user).filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("No such document."))
    if user.role == Role.INVESTOR:
        try:
            with transaction.atomic():
                OfferingDocumentOpen.objects.get_or_create(document=document, investor=user)
        except IntegrityError:  # opened twice at once: the first one counts
            pass
    return document
