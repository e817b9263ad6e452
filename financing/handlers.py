"""Which financing service applies each confirmed chain write."""

from financing import services
from tokens import outbox


def register() -> None:
    outbox.register_intent(
        services.INTENT_DEPLOY_SECURITY_TOKEN,
        confirmed=services.security_token_deployed,
        failed=services.security_token_failed,
    )
    outbox.register_intent(
        services.INTENT_CONFIGURE_SECURITY_TOKEN,
        confirmed=services.security_token_configured,
        failed=services.security_token_failed,
    )
    for intent in (services.INTENT_SETTLE_ALLOTMENT, services.INTENT_SETTLE_BATCH):
        outbox.register_intent(
            intent, confirmed=services.allotments_settled, failed=services.allotments_settlement_failed
        )
