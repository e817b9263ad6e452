"""Sign-up, log-in, log-out and the role-based home redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.choices import Role
from accounts.forms import EmailAuthenticationForm, SignupForm
from accounts.services import user_signup
from config.errors import ApplicationError
from config.forms import apply_errors

HOME_BY_ROLE = {
    Role.SME: "issuers:dashboard",
    Role.INVESTOR: "financing:investor_dashboard",
    Role.OFFICER: "compliance:queue",
    Role.APPROVER: "compliance:queue",
    Role.OPERATOR: "tokens:chain_status",
}


def signup(request: HttpRequest) -> HttpResponse:
    """Create an SME or investor account and sign it in."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(
        request.POST if request.method == "POST" else None,
        initial={"role": request.GET.get("role", Role.SME)},
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = user_signup(
                    email=data["email"],
                    password=data["password"],
                    full_name=data["full_name"],
                    role=data["role"],
                )
            except ApplicationError as exc:
                apply_errors(form, exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, "Welcome! Your account is ready.")
                return redirect("home")
        return render(request, "accounts/signup.html", {"form": form}, status=400)
    return render(request, "accounts/signup.html", {"form": form})


class EmailLoginView(LoginView):
    """Log in with email and password."""

    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: Form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to its own start page; visitors see the landing page."""
    if not request.user.is_authenticated:
        return render(request, "home.html")
    return redirect(reverse(HOME_BY_ROLE[Role(request.user.role)]))


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in user's account page."""
    return render(request, "accounts/profile.html")
