"""Pages of data sharing: the SME's consents and who read its data, the recipient's shared data, and the
compliance staff's log of every shared read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as PageForbidden
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.choices import COMPLIANCE_ROLES, Role
from accounts.lockout import client_address
from accounts.permissions import role_required
from config.errors import ApplicationError, NotFound, PermissionDenied
from config.forms import apply_errors
from config.pages import page_of
from issuers.forms import ActionForm
from issuers.selectors import company_of
from issuers.sharing import selectors, services
from issuers.sharing.choices import Dataset, ReadChannel
from issuers.sharing.forms import ConsentForm


def _render_sharing(
    request: HttpRequest,
    *,
    form: ConsentForm | None = None,
    action_form: ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    here = reverse("sharing:consents")
    company = company_of(request.user)
    context = {
        "company": company,
        "form": form or ConsentForm(company=company),
        "action_form": action_form,
        "consents": page_of(
            request, selectors.consents_granted_by(request.user), size=10, param="consents_page", url=here
        ),
        "reads": page_of(
            request, selectors.reads_visible_to(request.user), size=25, param="reads_page", url=here
        ),
    }
    return render(request, "issuers/sharing/consents.html", context, status=status)


@role_required(Role.SME)
def consents(request: HttpRequest) -> HttpResponse:
    """Data sharing: grant a consent, the consents granted with their state, and who read the data."""
    if request.method != "POST":
        return _render_sharing(request)
    form = ConsentForm(request.POST, company=company_of(request.user))
    if form.is_valid():
        try:
            granted = services.consent_grant(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            consent = granted.consent
            messages.success(
                request,
                gettext("Shared with %(email)s from %(start)s to %(end)s. You can revoke it at any time.")
                % {
                    "email": consent.recipient.email,
                    "start": services.long_day(consent.valid_from),
                    "end": services.long_day(consent.valid_until),
                },
            )
            if granted.people_withheld:
                messages.warning(
                    request,
                    gettext(
                        "Under the cross-border rules, some of your directors' and owners' records will not "
                        "be shown to this recipient: %(reason)s The other data you chose is shared."
                    )
                    % {"reason": granted.people_withheld},
                )
            return redirect("sharing:consents")
    return _render_sharing(request, form=form, status=400)


@role_required(Role.SME)
@require_POST
def consent_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke a consent at once."""
    form = ActionForm(request.POST)
    try:
        consent = services.consent_revoke(user=request.user, consent_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        apply_errors(form, exc)
        return _render_sharing(request, action_form=form, status=exc.status_code)
    messages.success(
        request,
        gettext("Revoked. %(email)s can no longer read your data.") % {"email": consent.recipient.email},
    )
    return redirect("sharing:consents")


@role_required(Role.SME, *COMPLIANCE_ROLES)
def consent_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One consent and every read made under it (its SME; compliance staff)."""
    try:
        consent = selectors.consent_for_log(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    reads = page_of(request, consent.reads.select_related("reader").order_by("-read_at", "-pk"), size=25)
    return render(request, "issuers/sharing/consent.html", {"consent": consent, "reads": reads})


@role_required(*COMPLIANCE_ROLES)
def read_log(request: HttpRequest) -> HttpResponse:
    """Every read of shared data on the platform, newest first (compliance staff)."""
    reads = page_of(request, selectors.reads_visible_to(request.user), size=50)
    return render(request, "issuers/sharing/read_log.html", {"reads": reads})


@role_required(Role.INVESTOR)
def shared_list(request: HttpRequest) -> HttpResponse:
    """Shared with me: the consents naming the investor, live ones with links to their data."""
    shared = page_of(request, selectors.consents_received(request.user), size=20)
    return render(request, "issuers/sharing/shared_list.html", {"consents": shared})


def _gate(request: HttpRequest, pk: int, dataset: str, document_id: int | None = None) -> services.SharedData:
    try:
        return services.shared_dataset(
            viewer=request.user,
            consent_id=pk,
            dataset=dataset,
            via=ReadChannel.PAGE,
            client_address=client_address(request),
            document_id=document_id,
        )
    except PermissionDenied as exc:
        raise PageForbidden(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc


@role_required(Role.INVESTOR)
def shared_dataset(request: HttpRequest, pk: int, dataset: str) -> HttpResponse:
    """One dataset shared under a live consent (the read is logged for the company to see)."""
    data = _gate(request, pk, dataset)
    context = {
        "data": data,
        "consent": data.consent,
        "company": data.company,
        "dataset_label": Dataset(dataset).label,
    }
    return render(request, "issuers/sharing/shared_dataset.html", context)


@role_required(Role.INVESTOR)
def shared_document(request: HttpRequest, pk: int, document_id: int) -> FileResponse:
    """One shared KYB document, downloaded through the gate (logged)."""
    document = _gate(request, pk, Dataset.DOCUMENTS, document_id).document
    assert document is not None
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
