"""Pages of financing."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.choices import Role
from accounts.permissions import role_required


@role_required(Role.INVESTOR)
def investor_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
