"""Pages of compliance."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.choices import Role
from accounts.permissions import role_required


@role_required(Role.OFFICER)
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html")
