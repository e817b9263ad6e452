"""Reads of data sharing, limited to what the caller may see (shared data itself goes through the gate in
`services.shared_dataset`, since every such read is logged)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from accounts.choices import COMPLIANCE_ROLES, Role
from accounts.models import User
from config.errors import NotFound
from issuers.sharing.models import DataAccessLog, DataConsent


def consents_granted_by(user: User) -> QuerySet[DataConsent]:
    """The consents of the SME representative's company, newest first, with how often each was read."""
    if user.role != Role.SME:
        return DataConsent.objects.none()
    return (
        DataConsent.objects.filter(company__representative=user)
        .select_related("company", "recipient", "recipient__investor", "revoked_by")
        .annotate(read_count=Count("reads", distinct=True), document_count=Count("documents", distinct=True))
        .order_by("-created_at", "-pk")
    )


def consents_received(user: User) -> QuerySet[DataConsent]:
    """The consents naming `user` as their recipient, newest first (every state: the page says which)."""
    if user.role != Role.INVESTOR:
        return DataConsent.objects.none()
    return (
        DataConsent.objects.filter(recipient=user)
        .select_related("company", "recipient")
        .annotate(document_count=Count("documents", distinct=True))
        .order_by("-created_at", "-pk")
    )


def consents_visible_to(user: User) -> QuerySet[DataConsent]:
    """An SME sees the consents it granted, an investor those it received; nobody else any."""
    if user.role == Role.SME:
        return consents_granted_by(user)
    return consents_received(user)


def reads_visible_to(user: User) -> QuerySet[DataAccessLog]:
    """Shared reads: an SME sees those of its company's data, compliance staff every one, newest first."""
    if user.role == Role.SME:
        reads = DataAccessLog.objects.filter(company__representative=user)
    elif user.role in COMPLIANCE_ROLES:
        reads = DataAccessLog.objects.all()
    else:
        return DataAccessLog.objects.none()
    return reads.select_related("reader", "company").order_by("-read_at", "-pk")


def consent_for_log(user: User, consent_id: int) -> DataConsent:
    """One consent whose reads `user` may see (its SME; compliance staff); otherwise not found."""
    if user.role == Role.SME:
        consents = DataConsent.objects.filter(company__representative=user)
    elif user.role in COMPLIANCE_ROLES:
        consents = DataConsent.objects.all()
    else:
        consents = DataConsent.objects.none()
    consent = consents.select_related("company", "recipient", "revoked_by").filter(pk=consent_id).first()
    if consent is None:
        raise NotFound()
    return consent


def consent_reads(user: User, consent_id: int) -> QuerySet[DataAccessLog]:
    """The reads made under one consent, newest first (see `consent_for_log` for who may ask)."""
    consent = consent_for_log(user, consent_id)
    return consent.reads.select_related("reader", "company").order_by("-read_at", "-pk")
