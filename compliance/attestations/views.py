"""Attestation pages: the holder's list (ask, download), compliance's revocation, the public verifier."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.choices import COMPLIANCE_ROLES, STAFF_ROLES, Role
from accounts.permissions import role_required
from compliance.attestations import selectors, services
from compliance.attestations.apis import RATE_LIMIT_SCOPE, AttestationDocumentInput, attestation_file_response
from compliance.attestations.forms import AttestationIssueForm, AttestationRevokeForm, AttestationVerifyForm
from compliance.attestations.verify import attestation_verify, issuer, statement
from compliance.choices import AttestationKind
from config.errors import TooManyAttempts, ValidationFailed
from config.forms import REFUSALS, refuse
from config.pages import page_of
from config.ratelimit import check_client, refused_response

HOLDER_KINDS = {
    Role.SME: AttestationKind.COMPANY_VERIFIED,
    Role.INVESTOR: AttestationKind.PROFESSIONAL_INVESTOR,
}


def _list_page(
    request: HttpRequest, *, issue_form: AttestationIssueForm | None = None, status: int = 200
) -> HttpResponse:
    page = page_of(request, selectors.attestations_visible_to(request.user), url="/attestations/")
    kind = HOLDER_KINDS.get(request.user.role)
    if kind and issue_form is None:
        issue_form = _issue_form(request)
    context: dict[str, Any] = {
        "page": page,
        "holder_kind": kind,
        "issue_form": issue_form,
        "is_staff": request.user.role in STAFF_ROLES,
        "may_revoke": selectors.may_revoke(request.user),
    }
    return render(request, "compliance/attestations/list.html", context, status=status)


def _issue_form(request: HttpRequest) -> AttestationIssueForm:
    """The holder's request form; an investor chooses among their wallets (account and linked ones)."""
    wallets = selectors.attestation_wallets(request.user) if request.user.role == Role.INVESTOR else []
    data = request.POST if request.method == "POST" else None
    return AttestationIssueForm(data, initial={"kind": HOLDER_KINDS.get(request.user.role)}, wallets=wallets)


@role_required(Role.SME, Role.INVESTOR, *STAFF_ROLES)
@require_GET
def attestation_list(request: HttpRequest) -> HttpResponse:
    """A holder's attestations with their download buttons and a button to ask for one; staff see all."""
    return _list_page(request)


@role_required(Role.SME, Role.INVESTOR)
@require_POST
def attestation_issue(request: HttpRequest) -> HttpResponse:
    """Ask for a signed attestation of the holder's verified status; refused in plain words when it does
    not hold today."""
    form = _issue_form(request)
    if not form.is_valid():
        return _list_page(request, issue_form=form, status=400)
    try:
        services.attestation_issue(
            user=request.user, kind=form.cleaned_data["kind"], wallet=form.cleaned_data.get("wallet", "")
        )
    except REFUSALS as exc:
        return _list_page(request, issue_form=form, status=refuse(form, exc))
    messages.success(request, gettext("Your attestation is signed. Download it below and share the file."))
    return redirect("attestations:list")


@role_required(Role.SME, Role.INVESTOR, *STAFF_ROLES)
@require_GET
def attestation_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The attestation file (.json) to share with anyone who wants to check it."""
    attestation = selectors.attestation_for(request.user, pk)
    if attestation is None:
        raise Http404("No such attestation.")
    return attestation_file_response(attestation)


@role_required(*COMPLIANCE_ROLES)
@require_http_methods(["GET", "POST"])
def attestation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one attestation with a reason; the AttestationRegistry records it on chain."""
    attestation = selectors.attestation_for(request.user, pk)
    if attestation is None:
        raise Http404("No such attestation.")
    form = AttestationRevokeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.attestation_revoke(
                    actor=request.user, attestation_id=pk, reason=form.cleaned_data["reason"]
                )
            except REFUSALS as exc:
                status = refuse(form, exc)
            else:
                messages.success(
                    request, gettext("Attestation revoked; the revocation is being recorded on chain.")
                )
                return redirect("attestations:list")
        else:
            status = 400
    context = {
        "attestation": attestation,
        "form": form,
        "statement": attestation_statement(attestation),
    }
    return render(request, "compliance/attestations/revoke.html", context, status=status)


def attestation_statement(attestation: Any) -> str:
    """What the attestation states, in words."""
    return statement(attestation.typed_data["primaryType"], attestation.typed_data["message"])


@require_http_methods(["GET", "POST"])
def attestation_verify_page(request: HttpRequest) -> HttpResponse:
    """Anyone checks an attestation file (paste or upload), with no log-in; the attester address and
    domain are shown so the check can be repeated offline."""
    form = AttestationVerifyForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST":
        try:
            check_client(request, scope=RATE_LIMIT_SCOPE)
        except TooManyAttempts as exc:
            return refused_response(request, exc)
        status = 400
        if form.is_valid():
            shape = AttestationDocumentInput(data=form.cleaned_data["parsed"])
            try:
                if not isinstance(form.cleaned_data["parsed"], dict) or not shape.is_valid():
                    raise ValidationFailed(
                        gettext("This is not a valid attestation file."), fields=_shape_errors(shape)
                    )
                result = attestation_verify(shape.validated_data)
                status = 200
            except REFUSALS as exc:
                status = refuse(form, exc)
    try:
        published = issuer()
    except REFUSALS:
        published = None
    context = {"form": form, "result": result, "issuer": published}
    return render(request, "compliance/attestations/verify.html", context, status=status)


def _shape_errors(shape: AttestationDocumentInput) -> dict[str, list[str]]:
    if not isinstance(shape.initial_data, dict):
        return {"document": [gettext("An attestation file is a JSON object.")]}
    return {
        "document": [f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in shape.errors.items()]
    }
