"""The account's security pages: the log-in code step, two-factor set-up, password change and reset,
name and email, and the list of signed-in sessions."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import two_factor
from accounts.models import User
from accounts.passwords import password_reset_throttle, user_password_change, user_password_reset_complete
from accounts.profile import (
    email_change_token_read,
    user_email_change_confirm,
    user_email_change_request,
    user_profile_update,
)
from accounts.security_forms import (
    EmailChangeForm,
    LoginCodeForm,
    PasswordChangeForm,
    ProfileForm,
    ResetPasswordForm,
    ResetRequestForm,
    TwoFactorDisableForm,
    TwoFactorSetupForm,
)
from accounts.sessions import device_label, sessions_of, user_session_end, user_sessions_end_others
from accounts.views import DEMO_EMAIL_BACKENDS, DEMO_LINK_SESSION_KEY, refused_page
from config.errors import ApplicationError, TooManyAttempts
from config.forms import apply_errors
from config.pages import page_of


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _next_url(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


# --- the log-in's second step --------------------------------------------------------------------------


@sensitive_post_parameters("code")
@never_cache
@login_required
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of a log-in: a code from the authenticator app, or a backup code."""
    next_url = _next_url(request)
    if two_factor.owed(request) != two_factor.OWES_CODE:
        return redirect(next_url or "home")
    form = LoginCodeForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "next": next_url}
    if request.method != "POST":
        return render(request, "accounts/login_code.html", context)
    if not form.is_valid():
        return render(request, "accounts/login_code.html", context, status=400)
    try:
        two_factor.two_factor_verify(request=request, code=form.cleaned_data["code"])
    except ApplicationError as exc:
        return refused_page(request, "accounts/login_code.html", context, exc)
    user = _user(request)
    left = two_factor.backup_codes_left(user)
    # Running low on the codes they were given (someone who never made any is not nagged at each log-in).
    if left <= 3 and two_factor.has_backup_codes(user):
        messages.warning(
            request,
            ngettext(
                "You have %(count)d backup code left: make new ones on the two-factor page.",
                "You have %(count)d backup codes left: make new ones on the two-factor page.",
                left,
            )
            % {"count": left},
        )
    return redirect(next_url or "home")


# --- two-factor authentication -------------------------------------------------------------------------


def _two_factor_page(request: HttpRequest, status: int = 200, **context: Any) -> HttpResponse:
    user = _user(request)
    context.setdefault("form", TwoFactorDisableForm())
    context.update(
        enabled=two_factor.has_authenticator(user),
        required=two_factor.requires_two_factor(user),
        backup_codes_left=two_factor.backup_codes_left(user),
    )
    return render(request, "accounts/two_factor.html", context, status=status)


@never_cache
@login_required
def two_factor_page(request: HttpRequest) -> HttpResponse:
    """Whether two-factor authentication is on, with its backup codes and the way to turn it off."""
    return _two_factor_page(request)


@sensitive_post_parameters("code")
@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the secret), then confirm with a code."""
    user = _user(request)
    device = two_factor.two_factor_setup_start(user=user)
    form = TwoFactorSetupForm(request.POST if request.method == "POST" else None)
    context = {
        "form": form,
        "qr_svg": two_factor.qr_svg(device),
        "secret": two_factor.secret_text(device),
        "required": two_factor.requires_two_factor(user),
        "replacing": two_factor.has_authenticator(user),
    }
    if request.method != "POST":
        return render(request, "accounts/two_factor_setup.html", context)
    if not form.is_valid():
        return render(request, "accounts/two_factor_setup.html", context, status=400)
    try:
        enrolled = two_factor.two_factor_setup_confirm(request=request, code=form.cleaned_data["code"])
    except ApplicationError as exc:
        return refused_page(request, "accounts/two_factor_setup.html", context, exc)
    # Shown on this answer only: never in a redirect, a message or the session.
    return render(
        request, "accounts/two_factor_codes.html", {"codes": enrolled.backup_codes, "just_enabled": True}
    )


@never_cache
@login_required
@require_POST
def two_factor_backup_codes(request: HttpRequest) -> HttpResponse:
    """A new set of backup codes, shown this once; the old ones stop working."""
    try:
        codes = two_factor.two_factor_backup_codes_renew(user=_user(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:two_factor")
    return render(request, "accounts/two_factor_codes.html", {"codes": codes, "just_enabled": False})


@sensitive_post_parameters("password", "code")
@never_cache
@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    """Turn two-factor authentication off (not for staff): the password and a current code."""
    form = TwoFactorDisableForm(request.POST)
    if not form.is_valid():
        return _two_factor_page(request, status=400, form=form)
    try:
        two_factor.two_factor_disable(
            request=request, password=form.cleaned_data["password"], code=form.cleaned_data["code"]
        )
    except ApplicationError as exc:
        apply_errors(form, exc)
        response = _two_factor_page(request, status=exc.status_code, form=form)
        if isinstance(exc, TooManyAttempts):
            response["Retry-After"] = str(exc.retry_after)
        return response
    messages.success(request, _("Two-factor authentication is off. Your password alone now signs you in."))
    return redirect("accounts:two_factor")


# --- name, email and password --------------------------------------------------------------------------


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Change the name shown on the platform."""
    user = _user(request)
    form = ProfileForm(
        request.POST if request.method == "POST" else None, initial={"full_name": user.full_name}
    )
    context = {"form": form}
    if request.method != "POST":
        return render(request, "accounts/profile_edit.html", context)
    if not form.is_valid():
        return render(request, "accounts/profile_edit.html", context, status=400)
    try:
        user_profile_update(user=user, full_name=form.cleaned_data["full_name"])
    except ApplicationError as exc:
        return refused_page(request, "accounts/profile_edit.html", context, exc)
    messages.success(request, _("Your name is saved."))
    return redirect("accounts:profile")


@sensitive_post_parameters("password")
@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    """Ask to change the email address: a link goes to the new one, which takes effect when followed."""
    form = EmailChangeForm(request.POST if request.method == "POST" else None)
    context = {"form": form}
    if request.method != "POST":
        return render(request, "accounts/email_change.html", context)
    if not form.is_valid():
        return render(request, "accounts/email_change.html", context, status=400)
    try:
        user_email_change_request(
            request=request,
            password=form.cleaned_data["password"],
            new_email=form.cleaned_data["email"],
            site_url=request.build_absolute_uri("/"),
        )
    except ApplicationError as exc:
        return refused_page(request, "accounts/email_change.html", context, exc)
    messages.success(
        request,
        _(
            "We sent a link to %(email)s. Your address changes when you follow it; until then, keep using"
            " the current one."
        )
        % {"email": form.cleaned_data["email"]},
    )
    return redirect("accounts:profile")


@never_cache
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to a new address: one click (a POST) makes it the account's address."""
    try:
        if request.method == "POST":
            changed = user_email_change_confirm(token=token)
            messages.success(request, _("Your email address is now %(email)s.") % {"email": changed.email})
            return redirect("accounts:profile" if request.user.is_authenticated else "accounts:login")
        new_email = email_change_token_read(token)[1]
    except ApplicationError as exc:
        return render(request, "accounts/email_change_confirm.html", {"error": exc}, status=exc.status_code)
    return render(request, "accounts/email_change_confirm.html", {"new_email": new_email})


@sensitive_post_parameters("current_password", "new_password", "new_password_confirm")
@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    """Change the password after typing the current one; every other session is logged out."""
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    context = {"form": form}
    if request.method != "POST":
        return render(request, "accounts/password_change.html", context)
    if not form.is_valid():
        return render(request, "accounts/password_change.html", context, status=400)
    try:
        ended = user_password_change(
            request=request,
            current_password=form.cleaned_data["current_password"],
            new_password=form.cleaned_data["new_password"],
        )
    except ApplicationError as exc:
        return refused_page(request, "accounts/password_change.html", context, exc)
    message = _("Your password is changed.")
    if ended:
        message += " " + ngettext(
            "%(count)d other session was logged out.", "%(count)d other sessions were logged out.", ended
        ) % {"count": ended}
    messages.success(request, message)
    return redirect("accounts:profile")


class PasswordResetRequestView(auth_views.PasswordResetView):
    """Ask for a reset link (Django's view and token): the same answer whether or not the address has an
    account, within PASSWORD_RESETS_PER_HOUR."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_sent")

    def get_extra_email_context(self) -> dict[str, Any]:
        return {"platform": settings.PLATFORM_NAME}

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            password_reset_throttle(request=self.request, email=form.cleaned_data["email"])
        except TooManyAttempts as exc:
            return refused_page(self.request, self.template_name, {"form": form}, exc)
        self.extra_email_context = self.get_extra_email_context()
        response = super().form_valid(form)
        # The demo sends no real email: like the sign-up's link, it shows the link it printed.
        if form.links and settings.DEBUG and settings.EMAIL_BACKEND in DEMO_EMAIL_BACKENDS:
            self.request.session[DEMO_LINK_SESSION_KEY] = form.links[-1]
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        demo_link = self.request.session.pop(DEMO_LINK_SESSION_KEY, None)
        return {**super().get_context_data(**kwargs), "demo_link": demo_link}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link's page: a new password, twice; a used, altered or expired link answers 400."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = ResetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user_password_reset_complete(user=form.user)
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if not self.validlink:
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- sessions ------------------------------------------------------------------------------------------


@login_required
def sessions_page(request: HttpRequest) -> HttpResponse:
    """The user's signed-in sessions: device, network, last seen; this one marked."""
    rows = page_of(request, sessions_of(_user(request)), url=reverse("accounts:sessions"))
    for row in rows:
        row.device = device_label(row.user_agent)  # type: ignore[attr-defined]
    return render(
        request, "accounts/sessions.html", {"sessions": rows, "current_key": request.session.session_key}
    )


@login_required
@require_POST
def session_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Log out one other session; someone else's session is a 404."""
    try:
        user_session_end(user=_user(request), pk=pk, current_key=request.session.session_key)
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
        return redirect("accounts:sessions")
    messages.success(request, _("That session is logged out."))
    return redirect("accounts:sessions")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    """Log out every session but this one."""
    ended = user_sessions_end_others(user=_user(request), current_key=request.session.session_key)
    messages.success(
        request,
        ngettext("%(count)d other session logged out.", "%(count)d other sessions logged out.", ended)
        % {"count": ended},
    )
    return redirect("accounts:sessions")
