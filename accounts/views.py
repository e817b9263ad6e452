"""Sign-up and its email confirmation, log-in, the account page with its API keys, the home redirect."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.choices import Role
from accounts.confirmation import confirmation_token_user
from accounts.forms import ApiKeyForm, ConfirmationResendForm, LanguageForm, LoginForm, SignupForm
from accounts.models import User
from accounts.selectors import api_keys_of
from accounts.services import (
    api_key_create,
    api_key_revoke,
    user_confirmation_resend,
    user_email_confirm,
    user_language_set,
    user_login,
    user_signup,
)
from accounts.two_factor import has_authenticator
from config.errors import ApplicationError, TooManyAttempts
from config.forms import apply_errors
from config.middleware import refusal_response
from config.pages import page_of

HOME_BY_ROLE = {
    Role.SME: "issuers:dashboard",
    Role.INVESTOR: "financing:investor_dashboard",
    Role.OFFICER: "compliance:queue",
    Role.APPROVER: "compliance:queue",
    Role.OPERATOR: "tokens:chain_status",
}
# Email backends that deliver nowhere a person reads: only with these (and DEMO_EMAIL_LINKS) is the demo
# allowed to show an emailed link on the page.
DEMO_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}
DEMO_LINK_SESSION_KEY = "demo_email_link"


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _emailed(request: HttpRequest, link: str | None) -> HttpResponse:
    """The same 'check your email' answer whatever was sent; the demo keeps the link to show it."""
    if link and settings.DEMO_EMAIL_LINKS and settings.EMAIL_BACKEND in DEMO_EMAIL_BACKENDS:
        request.session[DEMO_LINK_SESSION_KEY] = link
    return redirect("accounts:check_email")


def refused_page(
    request: HttpRequest, template: str, context: dict[str, Any], exc: ApplicationError
) -> HttpResponse:
    """Show a refusal on the page's form with the refusal's own status (429 carries Retry-After)."""
    apply_errors(context["form"], exc)
    response = render(request, template, context, status=exc.status_code)
    if isinstance(exc, TooManyAttempts):
        response["Retry-After"] = str(exc.retry_after)
    return response


@sensitive_post_parameters("password", "password_confirm")
def signup(request: HttpRequest) -> HttpResponse:
    """Start an SME or investor sign-up; the answer is 'check your email', whoever owns the address."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(
        request.POST if request.method == "POST" else None,
        initial={"role": request.GET.get("role", Role.SME)},
    )
    if request.method != "POST":
        return render(request, "accounts/signup.html", {"form": form})
    if not form.is_valid():
        return render(request, "accounts/signup.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        link = user_signup(
            email=data["email"],
            password=data["password"],
            full_name=data["full_name"],
            role=data["role"],
            site_url=_site_url(request),
        )
    except ApplicationError as exc:
        return refused_page(request, "accounts/signup.html", {"form": form}, exc)
    return _emailed(request, link)


def check_email(request: HttpRequest) -> HttpResponse:
    """'We sent you an email'; in the demo, also the link it carries."""
    return render(
        request, "accounts/check_email.html", {"demo_link": request.session.pop(DEMO_LINK_SESSION_KEY, None)}
    )


def confirmation_resend(request: HttpRequest) -> HttpResponse:
    """Ask for a new confirmation link; the answer never says whether the address has an account."""
    form = ConfirmationResendForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "accounts/confirmation_resend.html", {"form": form})
    if not form.is_valid():
        return render(request, "accounts/confirmation_resend.html", {"form": form}, status=400)
    return _emailed(
        request, user_confirmation_resend(email=form.cleaned_data["email"], site_url=_site_url(request))
    )


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """A confirmation link: the page asks for one click (a POST), which confirms and logs in.

    Confirming on the GET itself would let a mail scanner use the link, or another site log a
    visitor into an account of its choosing by loading the link.
    """
    try:
        if request.method == "POST":
            user_email_confirm(request=request, token=token)
            messages.success(request, gettext("Your email address is confirmed. Welcome!"))
            return redirect("home")
        confirmation_token_user(token)
    except ApplicationError as exc:
        return render(request, "accounts/confirm.html", {"error": exc}, status=exc.status_code)
    return render(request, "accounts/confirm.html")


@sensitive_post_parameters("password")
@never_cache
def login_page(request: HttpRequest) -> HttpResponse:
    """Log in with email and password (the same service and limits as the API)."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "next": next_url}
    if request.method != "POST":
        return render(request, "accounts/login.html", context)
    if not form.is_valid():
        return render(request, "accounts/login.html", context, status=400)
    try:
        user_login(request=request, email=form.cleaned_data["email"], password=form.cleaned_data["password"])
    except ApplicationError as exc:
        return refused_page(request, "accounts/login.html", context, exc)
    return redirect(next_url or settings.LOGIN_REDIRECT_URL)


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own start page; visitors see the landing page."""
    if not request.user.is_authenticated:
        return render(request, "home.html")
    return redirect(reverse(HOME_BY_ROLE[Role(request.user.role)]))


def _signed_in(request: HttpRequest) -> User:
    """The user of a `login_required` view."""
    return cast(User, request.user)


def _profile(request: HttpRequest, form: ApiKeyForm, status: int = 200, **context: Any) -> HttpResponse:
    context.update(
        form=form,
        api_keys=page_of(request, api_keys_of(_signed_in(request)), url=reverse("accounts:profile")),
        max_days=settings.API_KEY_MAX_DAYS,
        now=timezone.now(),
        two_factor_on=has_authenticator(_signed_in(request)),
    )
    return render(request, "accounts/profile.html", context, status=status)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in user's account page, with their API keys."""
    return _profile(request, ApiKeyForm())


@never_cache
@login_required
@require_POST
def api_key_create_page(request: HttpRequest) -> HttpResponse:
    """Create an API key and show it on this answer only (never in a redirect, a message or the session)."""
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _profile(request, form, status=400)
    try:
        created = api_key_create(
            user=_signed_in(request),
            name=form.cleaned_data["name"],
            expires_in_days=form.cleaned_data["expires_in_days"],
        )
    except ApplicationError as exc:
        apply_errors(form, exc)
        return _profile(request, form, status=exc.status_code)
    return _profile(request, ApiKeyForm(), status=201, new_key=created)


@login_required
@require_POST
def api_key_revoke_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's API keys; another user's key is a 404."""
    try:
        revoked = api_key_revoke(user=_signed_in(request), key_id=pk)
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext('The API key "%(name)s" is revoked.') % {"name": revoked.name})
    return redirect("accounts:profile")


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The switcher on every page: remember the language in a cookie (and on the account), then go back."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        message = gettext("Choose one of the languages offered.")
        return refusal_response(request, 400, {"detail": message, "language": [message]})
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        user_language_set(user=cast(User, request.user), language=language)
    target = form.cleaned_data["next"] or request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    translation.activate(language)
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response
