"""Which compliance service applies each confirmed chain write."""

from compliance import services
from tokens import outbox


def register() -> None:
    outbox.register_intent(
        services.INTENT_REGISTER_IDENTITY,
        confirmed=services.investor_identity_registered,
        failed=services.investor_chain_setup_failed,
    )
    outbox.register_intent(
        services.INTENT_AUTHORISE_PAYMENT,
        confirmed=services.investor_payment_authorised,
        failed=services.investor_chain_setup_failed,
    )
