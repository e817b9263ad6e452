from django.apps import AppConfig


class FinancingConfig(AppConfig):
    name = "financing"
    verbose_name = "Financing"

    def ready(self) -> None:
        from financing import handlers

        handlers.register()
