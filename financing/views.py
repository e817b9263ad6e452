"""Pages of financing: applications of any instrument (SME), offerings, subscriptions, the offering desk."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.choices import STAFF_ROLES, Role
from accounts.permissions import role_required
from accounts.templatetags.money import money
from compliance.choices import KYC_EDITABLE
from compliance.kyc import kyc_missing_items
from compliance.models import InvestorDocument
from compliance.selectors import investor_profile_of
from compliance.services import (
    demo_fund_investor,
    investor_kyc_save,
    investor_kyc_submit,
    investor_person_save,
)
from compliance.services import investor_document_remove as investor_document_remove_service
from compliance.services import investor_document_upload as investor_document_upload_service
from compliance.services import investor_person_remove as investor_person_remove_service
from config.errors import ApplicationError, ServiceUnavailable
from config.forms import REFUSALS, apply_errors, refuse
from config.middleware import accepts_uploads
from config.pages import page_of
from config.text import REASON_MAX_LENGTH
from financing import services
from financing.agreements import RISK_DISCLOSURE, SUBSCRIPTION_AGREEMENT
from financing.backing import backing_of
from financing.choices import (
    EDITABLE_APPLICATION_STATUSES,
    FUNDABLE_PAYMENT_STATUSES,
    SERVICED_OFFERING_STATUSES,
    Instrument,
    OfferingStatus,
)
from financing.forms import (
    AllotmentWriteOffForm,
    ApplicationForms,
    DividendForm,
    FaucetForm,
    InvestorDocumentForm,
    InvestorPersonForm,
    KycForm,
    MarketplaceFilterForm,
    OfferingCancelForm,
    OfferingDocumentForm,
    PaymentFundForm,
    SubscribeForm,
    SubscriptionConfirmForm,
    TransferForm,
)
from financing.models import Allotment, Application, Offering
from financing.schedules import Schedule, ScheduleRow
from financing.selectors import (
    SETTLEMENT_FAILURES_PAGE_SIZE,
    SubscribePosition,
    allotments_visible_to,
    application_schedule,
    application_terms_preview,
    applications_visible_to,
    documents_to_read,
    investor_overview,
    issuer_tags,
    marketplace_offerings,
    offering_escrow,
    offering_in_motion,
    offering_overview,
    offering_yield,
    offerings_visible_to,
    payment_calendar,
    payments_visible_to,
    settlement_progress,
    subscribe_position,
    subscription_review,
    subscriptions_visible_to,
    transfers_visible_to,
)
from financing.services import servicing
from financing.services.documents import DOCUMENT_EDITABLE_STATUSES
from issuers.choices import Residency
from issuers.forms import ActionForm
from issuers.selectors import company_of
from tokens.indexer.selectors import holdings_of
from tokens.selectors import token_contract_info

ALL_ROLES = (Role.SME, Role.INVESTOR, *STAFF_ROLES)

# --- SME: applications of every instrument -------------------------------------------------------


def _application_form(request: HttpRequest, application: Application | None) -> HttpResponse:
    """The one application form (new or edit); only the chosen instrument's terms are read."""
    data = request.POST if request.method == "POST" else None
    if application is None:
        forms = ApplicationForms(data)
        company = company_of(request.user)
    else:
        forms = ApplicationForms.for_application(application, data)
        company = application.company
    context: dict[str, Any] = {
        "forms": forms,
        "form": forms.form,
        "company": company,
        "application": application,
    }
    if data is None:
        return render(request, "financing/application_form.html", context)
    if forms.is_valid():
        try:
            saved = services.application_save(
                user=request.user,
                application_id=application.pk if application else None,
                **forms.service_kwargs(),
            )
        except ApplicationError as exc:
            forms.apply_errors(exc)
        else:
            if saved.instrument == Instrument.TRADE and not saved.trade_documents.exists():
                # A trade-finance draft is not complete without the documents it finances: that step is next.
                messages.success(
                    request, gettext("Draft saved. Now add the invoices or the bill of lading it finances.")
                )
                return redirect("financing:trade_documents", pk=saved.pk)
            done = (
                "Changes saved."
                if application
                else "Draft saved. Check the terms and schedule, then submit it."
            )
            messages.success(request, done)
            return redirect("financing:application_detail", pk=saved.pk)
    return render(request, "financing/application_form.html", context, status=400)


@role_required(Role.SME)
def application_new(request: HttpRequest) -> HttpResponse:
    """A new application of the SME's verified company, with any of the four instruments."""
    return _application_form(request, None)


@role_required(Role.SME)
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft application, or one compliance sent back for changes."""
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)
    if application.status not in EDITABLE_APPLICATION_STATUSES:
        messages.info(
            request,
            gettext("The application is %(lower)s and cannot change.")
            % {"lower": application.get_status_display().lower()},
        )
        return redirect("financing:application_detail", pk=pk)
    return _application_form(request, application)


@role_required(Role.SME)
@require_POST
def schedule_preview(request: HttpRequest) -> HttpResponse:
    """The live preview of the application form: the schedule of the terms typed so far, or what is wrong."""
    forms = ApplicationForms(request.POST)
    preview_input, problems = forms.preview_input()
    preview = None
    if preview_input is not None:
        try:
            preview = application_terms_preview(**preview_input)
        except ApplicationError as exc:
            problems = forms.problems_from(exc)
    context = {
        "instrument": forms.instrument,
        "currency": forms.currency,
        "problems": problems,
        "preview": preview,
        "schedule": _schedule_of(preview, forms.currency) if preview and preview["rows"] else None,
        "input": preview_input,
    }
    return render(request, "financing/_preview.html", context)


def _schedule_of(preview: dict[str, Any], currency: str) -> Schedule:
    """The preview's rows (the API shape: strings) as a schedule, so pages show both the same way."""
    rows = [
        ScheduleRow(
            period=row["period"],
            date=date.fromisoformat(row["date"]),
            principal=Decimal(row["principal"]),
            interest=Decimal(row["interest"]),
            payment=Decimal(row["payment"]),
            outstanding=Decimal(row["outstanding"]),
        )
        for row in preview["rows"]
    ]
    return Schedule(currency=currency, rows=rows)


def _render_application(
    request: HttpRequest, pk: int, *, action_form: ActionForm | None = None, status: int = 200
) -> HttpResponse:
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)
    context = {
        "application": application,
        "offering": getattr(application, "offering", None),
        "schedule": application_schedule(application),
        "action_form": action_form,
        "editable": application.status in EDITABLE_APPLICATION_STATUSES,
        "backing": backing_of(application),
    }
    return render(request, "financing/application_detail.html", context, status=status)


@role_required(Role.SME)
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Terms, schedule, status and decision of one application; its offering once approved."""
    return _render_application(request, pk)


def _application_action(request: HttpRequest, pk: int, action: Any, done: str) -> HttpResponse:
    """Run one service on the SME's own application; a refusal re-renders the page with the reason."""
    get_object_or_404(applications_visible_to(request.user), pk=pk)
    form = ActionForm(request.POST)
    try:
        action(user=request.user, application_id=pk)
    except ApplicationError as exc:
        apply_errors(form, exc)
        return _render_application(request, pk, action_form=form, status=400)
    messages.success(request, done)
    return redirect("financing:application_detail", pk=pk)


@role_required(Role.SME)
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the application to compliance."""
    return _application_action(
        request,
        pk,
        services.application_submit,
        "Submitted. Compliance will review the application; the decision appears here.",
    )


@role_required(Role.SME)
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the application back before a decision."""
    return _application_action(request, pk, services.application_withdraw, "Application withdrawn.")


# --- investors -----------------------------------------------------------------------------------


def _render_investor(
    request: HttpRequest, *, faucet_form: FaucetForm | None = None, status: int = 200
) -> HttpResponse:
    overview = investor_overview(request.user)
    context = {"overview": overview, "faucet_form": faucet_form or FaucetForm()}
    template = "financing/_investor_live.html" if request.htmx else "financing/investor_dashboard.html"
    return render(request, template, context, status=status)


@role_required(Role.INVESTOR)
def investor_dashboard(request: HttpRequest) -> HttpResponse:
    """KYC state, wallet, HKD balance and holdings from chain, subscriptions and allotments."""
    return _render_investor(request)


def _render_kyc(
    request: HttpRequest,
    *,
    kyc_form: KycForm | None = None,
    person_form: InvestorPersonForm | None = None,
    document_form: InvestorDocumentForm | None = None,
    action_form: ActionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    profile = investor_profile_of(request.user)
    if kyc_form is None:
        initial: dict[str, Any] = {}
        if profile is not None:
            initial = {name: getattr(profile, name) for name in KycForm.base_fields}
            initial["country"] = profile.country.code if profile.country else ""
            initial["residency"] = "" if profile.residency == Residency.NOT_STATED else profile.residency
            initial["pep_country"] = profile.pep_country.code if profile.pep_country else ""
        kyc_form = KycForm(initial=initial)
    context = {
        "profile": profile,
        "editable": profile is None or profile.kyc_status in KYC_EDITABLE,
        "missing": kyc_missing_items(profile) if profile is not None else None,
        "kyc_form": kyc_form,
        "person_form": person_form or InvestorPersonForm(),
        "document_form": document_form or InvestorDocumentForm(),
        "action_form": action_form,
    }
    return render(request, "financing/investor_kyc.html", context, status=status)


@role_required(Role.INVESTOR)
def investor_kyc(request: HttpRequest) -> HttpResponse:
    """The investor's due diligence: details, directors and owners, evidence files, and the checklist."""
    if request.method != "POST":
        return _render_kyc(request)
    form = KycForm(request.POST)
    if form.is_valid():
        try:
            investor_kyc_save(user=request.user, **form.service_kwargs())
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, gettext("Details saved. Add what the checklist still asks for, then submit.")
            )
            return redirect("financing:investor_kyc")
    return _render_kyc(request, kyc_form=form, status=400)


@role_required(Role.INVESTOR)
@require_POST
def investor_kyc_send(request: HttpRequest) -> HttpResponse:
    """Send the complete due diligence to compliance: the first time, after a rejection, or to renew."""
    form = ActionForm(request.POST)
    try:
        investor_kyc_submit(user=request.user)
    except ApplicationError as exc:
        apply_errors(form, exc)
        return _render_kyc(request, action_form=form, status=exc.status_code)
    messages.success(
        request,
        gettext("Submitted. Compliance will review your details and evidence; you will see the result here."),
    )
    return redirect("financing:investor_kyc")


@role_required(Role.INVESTOR)
@require_POST
def investor_person_add(request: HttpRequest) -> HttpResponse:
    """Declare a director or beneficial owner of a corporate or trust investor."""
    form = InvestorPersonForm(request.POST)
    if form.is_valid():
        try:
            investor_person_save(user=request.user, **form.service_kwargs())
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("Person added; they are screened with your submission."))
            return redirect("financing:investor_kyc")
    return _render_kyc(request, person_form=form, status=400)


def _kyc_removal(request: HttpRequest, remove: Any, done: str) -> HttpResponse:
    form = ActionForm(request.POST)
    try:
        remove()
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from exc
        apply_errors(form, exc)
        return _render_kyc(request, action_form=form, status=exc.status_code)
    messages.success(request, done)
    return redirect("financing:investor_kyc")


@role_required(Role.INVESTOR)
@require_POST
def investor_person_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a declared director or owner."""
    return _kyc_removal(
        request, lambda: investor_person_remove_service(user=request.user, person_id=pk), "Removed."
    )


@accepts_uploads
@role_required(Role.INVESTOR)
@require_POST
def investor_document_upload(request: HttpRequest) -> HttpResponse:
    """Upload one KYC evidence file."""
    form = InvestorDocumentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            investor_document_upload_service(
                user=request.user,
                kind=data["kind"],
                upload=data["file"],
                evidence_type=data["evidence_type"],
                document_date=data["document_date"],
            )
        except ApplicationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, gettext("Uploaded; its fingerprint is recorded in the audit trail."))
            return redirect("financing:investor_kyc")
    return _render_kyc(request, document_form=form, status=400)


@role_required(Role.INVESTOR)
@require_POST
def investor_document_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an evidence file not yet submitted."""
    return _kyc_removal(
        request,
        lambda: investor_document_remove_service(user=request.user, document_id=pk),
        "Document removed.",
    )


@role_required(Role.INVESTOR)
def investor_document_download(request: HttpRequest, pk: int) -> FileResponse:
    """One of the investor's own evidence files."""
    document = get_object_or_404(InvestorDocument, pk=pk, profile__user=request.user)
    return FileResponse(
        document.file.open("rb"),
        as_attachment=False,
        filename=document.original_name,
        content_type=document.content_type,
    )


@role_required(Role.INVESTOR)
@require_POST
def investor_faucet(request: HttpRequest) -> HttpResponse:
    """Mint a test stablecoin into the investor's wallet (demo platforms only)."""
    form = FaucetForm(request.POST)
    status = 400
    if form.is_valid():
        currency = form.cleaned_data["currency"]
        try:
            demo_fund_investor(actor=request.user, amount_hkd=form.cleaned_data["amount"], currency=currency)
        except REFUSALS as exc:
            status = refuse(form, exc)
        else:
            messages.success(
                request,
                gettext(
                    "Test %(currency)s is on its way to your wallet; the balance updates "
                    "when it is confirmed."
                )
                % {"currency": currency},
            )
            return redirect("financing:investor_dashboard")
    return _render_investor(request, faucet_form=form, status=status)


@role_required(Role.INVESTOR)
def offering_list(request: HttpRequest) -> HttpResponse:
    """The marketplace: offerings filtered by instrument, currency, issuer tags and status (open by
    default), in the query string so a filtered page can be bookmarked; HTMX swaps the results only."""
    form = MarketplaceFilterForm(request.GET)
    filters = form.filters()
    page = page_of(request, marketplace_offerings(request.user, **filters), size=12)
    context = {"offerings": page, "filter_form": form, "filters": filters}
    template = "financing/_offering_results.html" if request.htmx else "financing/offering_list.html"
    return render(request, template, context)


def _render_offering(
    request: HttpRequest,
    pk: int,
    *,
    subscribe_form: SubscribeForm | None = None,
    action_form: ActionForm | None = None,
    refused: dict[str, Any] | None = None,
    fund_form: PaymentFundForm | None = None,
    fund_payment_id: int | None = None,
    dividend_form: DividendForm | None = None,
    document_form: OfferingDocumentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    overview = offering_overview(
        request.user, pk, paginate=lambda rows: page_of(request, rows, size=SETTLEMENT_FAILURES_PAGE_SIZE)
    )
    if overview is None:
        raise Http404("No such offering.")
    context = {
        "overview": overview,
        "offering": overview.offering,
        "progress": overview.progress,
        "in_motion": overview.in_motion,
        "subscribe_form": subscribe_form or SubscribeForm(),
        "action_form": action_form,
        "refused": refused,
        "is_staff_role": request.user.role in STAFF_ROLES,
        "reason_max_length": REASON_MAX_LENGTH,
        **_servicing_context(request, overview.offering),
        "fund_form": fund_form,
        "fund_payment_id": fund_payment_id,
        "dividend_form": dividend_form or DividendForm(),
        **({} if request.htmx else _offering_page_context(request, overview.offering, document_form)),
    }
    template = "financing/_offering_live.html" if request.htmx else "financing/offering_detail.html"
    return render(request, template, context, status=status)


def _servicing_context(request: HttpRequest, offering: Any) -> dict[str, Any]:
    """The payment calendar on the offering's page, for its issuer and staff, once it has settled."""
    serviced = offering.status in (
        *SERVICED_OFFERING_STATUSES,
        OfferingStatus.MATURED,
        OfferingStatus.REDEEMED,
    )
    if not serviced or (request.user.role != Role.SME and request.user.role not in STAFF_ROLES):
        return {"show_servicing": False}
    today = timezone.localdate()
    rows = [
        {
            "payment": p,
            "due": servicing.amount_due(p, today) if p.status in FUNDABLE_PAYMENT_STATUSES else None,
        }
        for p in payment_calendar(offering)
    ]
    return {
        "show_servicing": True,
        "servicing_rows": rows,
        "can_declare_dividend": offering.status in SERVICED_OFFERING_STATUSES,
    }


@role_required(*ALL_ROLES)
def offering_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Terms and progress; investors subscribe here; staff see allotments and their settlement."""
    return _render_offering(request, pk)


def _offering_page_context(
    request: HttpRequest, offering: Offering, document_form: OfferingDocumentForm | None
) -> dict[str, Any]:
    """The offering page's issuer profile, yield, documents, token contract and, for an investor, whether
    they may subscribe (the reason if not, the most units they can take if so)."""
    user = request.user
    may_attach = offering.status in DOCUMENT_EDITABLE_STATUSES and (
        user.role in STAFF_ROLES or user.role == Role.SME
    )
    return {
        "position": subscribe_position(user, offering) if user.role == Role.INVESTOR else None,
        "documents": documents_to_read(user, offering),
        "document_form": document_form or (OfferingDocumentForm() if may_attach else None),
        "issuer_tags": issuer_tags(offering.application.company),
        "token_info": token_contract_info(offering.token),
        "offer_yield": offering_yield(offering),
        "backing": backing_of(offering.application),
    }


def _render_review(
    request: HttpRequest, offering: Offering, form: forms.Form, units: int, *, status: int = 200
) -> HttpResponse:
    position = subscribe_position(request.user, offering)
    context = {
        "offering": offering,
        "review": subscription_review(request.user, offering, units, position),
        "position": position,
        "form": form,
    }
    return render(request, "financing/subscription_review.html", context, status=status)


@role_required(Role.INVESTOR)
def offering_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The review step: what subscribing `?units=` means (amount, fees, settlement date, the
    oversubscription rule, the balance after), the documents to read and the texts to accept."""
    offering = get_object_or_404(offerings_visible_to(request.user), pk=pk)
    form = SubscribeForm(request.GET)
    form.fields["units"].widget.attrs["autofocus"] = True  # a refusal lands on the field, not the page top
    if not form.is_valid():
        return _render_offering(request, pk, subscribe_form=form, status=400)
    units = form.cleaned_data["units"]
    position = subscribe_position(request.user, offering)
    if not position.can_subscribe:
        return _render_offering(request, pk, subscribe_form=form, status=409)
    if units > position.units_left:
        form.add_error("units", _units_left_message(position))
        return _render_offering(request, pk, subscribe_form=form, status=400)
    if position.max_units is not None and units > position.max_units:
        form.add_error("units", _affordable_message(offering, position))
        return _render_offering(request, pk, subscribe_form=form, status=400)
    confirm = SubscriptionConfirmForm(
        initial={
            "units": units,
            "risk_disclosure_version": RISK_DISCLOSURE.version,
            "agreement_version": SUBSCRIPTION_AGREEMENT.version,
        }
    )
    return _render_review(request, offering, confirm, units)


def _units_left_message(position: SubscribePosition) -> str:
    return ngettext(
        "Only %(count)s unit is left under this offering's cap.",
        "Only %(count)s units are left under this offering's cap.",
        position.units_left,
    ) % {"count": position.units_left}


def _affordable_message(offering: Offering, position: SubscribePosition) -> str:
    assert position.balance is not None
    assert position.max_units is not None
    return gettext(
        "Your wallet holds %(balance)s: at %(price)s a unit you can subscribe at most %(count)s units."
    ) % {
        "balance": money(position.balance - position.in_flight, offering.currency),
        "price": money(offering.unit_price, offering.currency),
        "count": position.max_units,
    }


@role_required(Role.INVESTOR)
@require_POST
def offering_subscribe(request: HttpRequest, pk: int) -> HttpResponse:
    """Subscribe whole units of an open offering, with the risk disclosure and agreement accepted."""
    offering = get_object_or_404(offerings_visible_to(request.user), pk=pk)
    form = SubscriptionConfirmForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.subscription_create(user=request.user, offering_id=pk, **form.service_kwargs())
        except REFUSALS as exc:
            status = refuse(form, exc)
        else:
            messages.success(
                request,
                gettext("Subscribed. Units are allotted when the offering closes, then settled on chain."),
            )
            return redirect("financing:offering_detail", pk=pk)
    units = form.cleaned_data.get("units")
    if not units or not subscribe_position(request.user, offering).can_subscribe:
        # Nothing to review: the offering page says why the investor cannot subscribe, or asks for units.
        subscribe_form = SubscribeForm({"units": form.data.get("units", "")})
        for error in form.non_field_errors():
            subscribe_form.add_error(None, error)
        return _render_offering(request, pk, subscribe_form=subscribe_form, status=status)
    return _render_review(request, offering, form, units, status=status)


@role_required(*ALL_ROLES)
def offering_document(request: HttpRequest, pk: int) -> FileResponse:
    """One offering document, inline, to those who may see its offering (an investor's opening counts as
    having read it)."""
    try:
        document = services.offering_document_open(user=request.user, document_id=pk)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    return FileResponse(
        document.file.open("rb"),
        as_attachment=False,
        filename=document.original_name,
        content_type=document.content_type,
    )


@accepts_uploads
@role_required(Role.SME, *STAFF_ROLES)
@require_POST
def offering_document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach a term sheet, information memorandum or financial statements (a new version of a kind
    replaces the one investors see)."""
    get_object_or_404(offerings_visible_to(request.user), pk=pk)
    form = OfferingDocumentForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            document = services.offering_document_upload(
                actor=request.user,
                offering_id=pk,
                kind=data["kind"],
                title=data["title"],
                upload=data["file"],
            )
        except REFUSALS as exc:
            status = refuse(form, exc)
        else:
            messages.success(
                request,
                gettext("%(title)s attached as version %(version)s; investors read it before subscribing.")
                % {"title": document.title, "version": document.version},
            )
            return redirect("financing:offering_detail", pk=pk)
    return _render_offering(request, pk, document_form=form, status=status)


@role_required(Role.INVESTOR)
@require_POST
def subscription_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw one's own subscription while the offering is open."""
    subscription = get_object_or_404(subscriptions_visible_to(request.user), pk=pk)
    form = ActionForm(request.POST)
    try:
        services.subscription_withdraw(user=request.user, subscription_id=pk)
    except ApplicationError as exc:
        apply_errors(form, exc)
        return _render_offering(request, subscription.offering_id, action_form=form, status=400)
    messages.success(
        request, gettext("Subscription withdrawn. You can subscribe again while the offering is open.")
    )
    return redirect("financing:offering_detail", pk=subscription.offering_id)


# --- staff: the offering desk ---------------------------------------------------------------------


def _render_manage(
    request: HttpRequest, *, action_form: ActionForm | None = None, status: int = 200
) -> HttpResponse:
    offerings = offerings_visible_to(request.user).order_by("-created_at", "-pk")
    here = reverse("financing:offering_manage")  # also shown in answer to a refused action
    context = {"offerings": page_of(request, offerings, url=here), "action_form": action_form}
    return render(request, "financing/offering_manage.html", context, status=status)


@role_required(*STAFF_ROLES)
def offering_manage(request: HttpRequest) -> HttpResponse:
    """Every offering with Open / Close buttons per state."""
    return _render_manage(request)


def _offering_action(request: HttpRequest, pk: int, action: Any) -> HttpResponse:
    get_object_or_404(offerings_visible_to(request.user), pk=pk)
    form = ActionForm(request.POST)
    try:
        offering = action(actor=request.user, offering_id=pk)
    except REFUSALS as exc:
        return _render_manage(request, action_form=form, status=refuse(form, exc))
    done = {
        OfferingStatus.OPEN: "Offering opened: verified investors can now subscribe.",
        OfferingStatus.ALLOTTING: "Offering closed. Units are being allotted, then settled on chain.",
        OfferingStatus.SETTLING: "Offering closed. Units are allotted and settling on chain.",
        OfferingStatus.SETTLED: "Offering closed and every allotment settled on chain.",
        OfferingStatus.CANCELLED: "Below the minimum raise: the offering was cancelled and nobody pays.",
    }
    messages.success(request, done.get(offering.status, f"Offering {offering.get_status_display().lower()}."))
    if request.POST.get("next") == "detail":
        return redirect("financing:offering_detail", pk=pk)
    return redirect("financing:offering_manage")


@role_required(*STAFF_ROLES)
@require_http_methods(["GET", "POST"])
def offering_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Call off an offering that has not closed, saying why: a page naming what it undoes, then the post."""
    offering = get_object_or_404(offerings_visible_to(request.user), pk=pk)
    form = OfferingCancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.offering_cancel(
                    actor=request.user, offering_id=pk, reason=form.cleaned_data["reason"]
                )
            except REFUSALS as exc:
                status = refuse(form, exc)
            else:
                messages.success(
                    request,
                    gettext("%(reference)s cancelled: open subscriptions are cancelled and nobody pays.")
                    % {"reference": offering.reference},
                )
                return redirect("financing:offering_manage")
        else:
            status = 400
    context = {"offering": offering, "form": form, "escrow": offering_escrow(offering)}
    return render(request, "financing/offering_cancel.html", context, status=status)


@role_required(*STAFF_ROLES)
@require_POST
def offering_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a ready offering for subscriptions."""
    return _offering_action(request, pk, services.offering_open)


@role_required(*STAFF_ROLES)
@require_POST
def offering_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an open offering: allot and settle, or cancel below the minimum."""
    return _offering_action(request, pk, services.offering_close)


@role_required(*ALL_ROLES)
def offering_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """How far one offering's settlement has gone: a part of a page that refreshes itself while it moves."""
    offering = get_object_or_404(offerings_visible_to(request.user), pk=pk)
    progress = settlement_progress(offering)
    context = {
        "offering": offering,
        "progress": progress,
        "in_motion": offering_in_motion(offering, progress),
        "compact": True,
    }
    return render(request, "financing/_settlement_progress.html", context)


def _allotment_refused(
    request: HttpRequest, allotment: Allotment, form: forms.Form, exc: ApplicationError | None = None
) -> HttpResponse:
    """Show a refused retry or write-off next to its allotment (and at the top of the page)."""
    status = refuse(form, exc) if exc is not None else 400
    errors = [str(e) for e in form.non_field_errors()]
    for name, field_errors in form.errors.items():
        if name != "__all__":
            errors += [f"{form.fields[name].label}: {error}" for error in field_errors]
    refused = {"allotment_id": allotment.pk, "errors": errors, "reason": form.data.get("reason", "")}
    return _render_offering(request, allotment.offering_id, action_form=form, refused=refused, status=status)


@role_required(*STAFF_ROLES)
@require_POST
def allotment_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a failed settlement again."""
    allotment = get_object_or_404(allotments_visible_to(request.user), pk=pk)
    form = ActionForm(request.POST)
    try:
        services.allotment_retry(actor=request.user, allotment_id=pk)
    except REFUSALS as exc:
        return _allotment_refused(request, allotment, form, exc)
    messages.success(request, gettext("Settlement of allotment #%(pk)s queued again.") % {"pk": pk})
    return redirect("financing:offering_detail", pk=allotment.offering_id)


@role_required(*STAFF_ROLES)
@require_POST
def allotment_write_off(request: HttpRequest, pk: int) -> HttpResponse:
    """Write off a failed allotment with a reason; the investor's escrow is refunded."""
    allotment = get_object_or_404(allotments_visible_to(request.user), pk=pk)
    form = AllotmentWriteOffForm(request.POST)
    if not form.is_valid():
        return _allotment_refused(request, allotment, form)
    try:
        services.allotment_write_off(actor=request.user, allotment_id=pk, reason=form.cleaned_data["reason"])
    except REFUSALS as exc:
        return _allotment_refused(request, allotment, form, exc)
    messages.success(
        request,
        gettext("Allotment #%(pk)s written off: the investor's escrow is on its way back to their wallet.")
        % {"pk": pk},
    )
    return redirect("financing:offering_detail", pk=allotment.offering_id)


# --- servicing: the issuer funds payments and declares dividends ----------------------------------


@role_required(Role.SME)
@require_POST
def payment_fund(request: HttpRequest, pk: int) -> HttpResponse:
    """Fund one payment from the company's wallet (exactly the amount due)."""
    payment = get_object_or_404(payments_visible_to(request.user), pk=pk)
    form = PaymentFundForm(request.POST)
    status = 400
    if not form.is_valid():
        form.add_error(None, gettext("Give the amount due, in whole cents."))  # the amount field is not shown
    else:
        try:
            servicing.payment_fund(actor=request.user, payment_id=pk, amount=form.cleaned_data["amount"])
        except REFUSALS as exc:
            form.add_error(None, exc.message)  # the whole reason in plain words, beside the button
            status = 503 if isinstance(exc, ServiceUnavailable) else 400
        else:
            messages.success(
                request,
                gettext(
                    "Funding authorised: your payment is on its way into escrow. The "
                    "holders are paid on the due date."
                ),
            )
            return redirect("financing:offering_detail", pk=payment.offering_id)
    return _render_offering(request, payment.offering_id, fund_form=form, fund_payment_id=pk, status=status)


@role_required(Role.SME)
@require_POST
def dividend_declare(request: HttpRequest, pk: int) -> HttpResponse:
    """Declare a dividend on the company's settled equity offering."""
    get_object_or_404(offerings_visible_to(request.user), pk=pk)
    form = DividendForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            servicing.dividend_declare(actor=request.user, offering_id=pk, **form.cleaned_data)
        except REFUSALS as exc:
            status = refuse(form, exc)
        else:
            messages.success(
                request,
                gettext("Dividend declared. Fund it before the payment date to pay your shareholders."),
            )
            return redirect("financing:offering_detail", pk=pk)
    return _render_offering(request, pk, dividend_form=form, status=status)


# --- transfers between investors -------------------------------------------------------------------


def _render_transfers(
    request: HttpRequest, *, action_form: ActionForm | None = None, status: int = 200
) -> HttpResponse:
    profile = investor_profile_of(request.user)
    here = reverse("financing:transfers")
    context = {
        "reference": services.investor_reference(profile) if profile and profile.wallet_id else "",
        "transfers": page_of(request, transfers_visible_to(request.user), url=here),
        "action_form": action_form,
    }
    return render(request, "financing/transfers.html", context, status=status)


@role_required(Role.INVESTOR)
def transfers(request: HttpRequest) -> HttpResponse:
    """Your investor reference to receive units, and your transfers (either side), a page at a time."""
    return _render_transfers(request)


def _holding_of(request: HttpRequest, offering_id: int) -> tuple[Offering, Any]:
    """The offering and the investor's holding of it, as the chain index has it (404 when none)."""
    profile = investor_profile_of(request.user)
    offering = Offering.objects.select_related("application", "token").filter(pk=offering_id).first()
    if profile is None or profile.wallet is None or offering is None or offering.token is None:
        raise Http404
    holding = holdings_of(profile.wallet.address).filter(token_address=offering.token.address).first()
    if holding is None:
        raise Http404
    return offering, holding


@role_required(Role.INVESTOR)
def holding_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """Transfer units of one holding to another investor, as a gift or a sale."""
    offering, holding = _holding_of(request, pk)
    form = TransferForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                transfer = services.transfer_create(
                    user=request.user, offering_id=offering.pk, **form.cleaned_data
                )
            except REFUSALS as exc:
                status = refuse(form, exc)
            else:
                if transfer.is_free:
                    messages.success(
                        request,
                        gettext("Sent: %(units)s units are on their way on chain.")
                        % {"units": transfer.units},
                    )
                else:
                    messages.success(
                        request,
                        gettext(
                            "Offer made. Nothing moves until the buyer accepts; either of you may cancel."
                        ),
                    )
                return redirect("financing:transfers")
    context = {"holding": holding, "offering": offering, "form": form}
    return render(request, "financing/holding_transfer.html", context, status=status)


def _transfer_action(request: HttpRequest, pk: int, service: Any, done: str) -> HttpResponse:
    get_object_or_404(transfers_visible_to(request.user), pk=pk)
    form = ActionForm(request.POST)
    try:
        service(user=request.user, transfer_id=pk)
    except ApplicationError as exc:
        apply_errors(form, exc)
        return _render_transfers(request, action_form=form, status=exc.status_code)
    messages.success(request, done)
    return redirect("financing:transfers")


@role_required(Role.INVESTOR)
@require_POST
def transfer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """The buyer accepts a sale: the units and the money move together, once."""
    return _transfer_action(
        request, pk, services.transfer_accept, "Accepted. The units and the payment are moving on chain."
    )


@role_required(Role.INVESTOR)
@require_POST
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Either party calls off a sale before it is accepted."""
    return _transfer_action(request, pk, services.transfer_cancel, "Cancelled. Nothing was moved.")
