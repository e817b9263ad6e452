from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "tokens"
    verbose_name = "Tokens and chain"

    def ready(self) -> None:
        from tokens import operations, services

        services.register()
        operations.register()
