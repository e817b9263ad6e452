"""Top-level URLs: pages per app, the versioned API and its schema."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from accounts import views as account_views
from config.api import ApiDocsAccess

api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("issuers.api_urls")),
    path("", include("financing.api_urls")),
    path("", include("compliance.api_urls")),
    path("", include("tokens.api_urls")),
    path("", include("financing.verification.api_urls")),
    path("", include("issuers.sharing.api_urls")),
]

# Swagger UI's stylesheet draws its icons as data: images.
api_docs = csp_update({"img-src": [SELF, "data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[ApiDocsAccess])
)

# Redoc draws with styles its bundle adds at run time and renders in a blob: worker; its icons are data:
# images. Loosened for this read-only page only; scripts still come from the project alone.
api_redoc = csp_update(
    {"img-src": [SELF, "data:"], "style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}
)(SpectacularRedocView.as_view(url_name="api-schema", permission_classes=[ApiDocsAccess]))

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("company/", include("issuers.urls")),
    path("financing/", include("financing.urls")),
    path("compliance/", include("compliance.urls")),
    path("requests/", include("compliance.request_urls")),
    path("attestations/", include("compliance.attestations.urls")),
    path("chain/", include("tokens.urls")),
    path("verify/", include("financing.verification.urls")),
    path("sharing/", include("issuers.sharing.urls")),
    path("wallets/", include("compliance.wallets.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[ApiDocsAccess]), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("api/redoc/", api_redoc, name="api-redoc"),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
