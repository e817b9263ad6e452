from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "tokens"
    verbose_name = "Tokens and chain"

    def ready(self) -> None:
        from tokens import operations, payment_tokens, services

        services.register()
        payment_tokens.register()
        operations.register()
