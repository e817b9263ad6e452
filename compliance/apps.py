from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        from compliance import handlers
        from compliance.cases import evidence, risk  # noqa: F401  (register their checks and factors)

        handlers.register()
