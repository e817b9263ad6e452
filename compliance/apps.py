from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        from compliance import (
            handlers,
            kyc,  # noqa: F401  (registers the KYC checks, documents and factor)
        )
        from compliance.cases import evidence, risk  # noqa: F401  (register their checks and factors)
        from compliance.licences import evidence as licence_checks  # noqa: F401  (registers its checks)
        from compliance.licences import services  # noqa: F401  (registers the lapsed-licence alert's effect)
        from compliance.screening import alerts, blocking  # noqa: F401  (screening checks, alert effects)

        handlers.register()
