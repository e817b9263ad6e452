from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from accounts.lockout import trusted_proxies

        # A mistyped TRUSTED_PROXIES stops the start rather than the first log-in.
        trusted_proxies()
