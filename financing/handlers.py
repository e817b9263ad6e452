"""Who signs each financing chain write, what it may call, and which service applies the result."""

from financing import services
from financing.services import servicing
from financing.trade import services as trade
from tokens import outbox
from tokens import services as token_services
from tokens.choices import ContractKind, WalletKind
from tokens.indexer.nudge import nudging_indexer


def register() -> None:
    outbox.register_intent(
        services.INTENT_DEPLOY_SECURITY_TOKEN,
        signer=WalletKind.ADMIN,
        confirmed=services.security_token_deployed,
        failed=services.security_token_failed,
    )
    outbox.register_intent(
        services.INTENT_CONFIGURE_SECURITY_TOKEN,
        signer=WalletKind.REGISTRAR,
        targets=(ContractKind.SECURITY_TOKEN,),
        functions=("setTransferRules(uint8,uint32,uint256,uint64)",),
        confirmed=services.security_token_configured,
        failed=services.security_token_failed,
    )
    token_services.register_admin_operation(
        target=ContractKind.SETTLEMENT,
        function="registerOffering",
        intent=services.INTENT_REGISTER_OFFERING,
        confirmed=services.offering_registered,
        failed=services.security_token_failed,
    )
    settler = {"signer": WalletKind.SETTLER, "targets": (ContractKind.SETTLEMENT,)}
    outbox.register_intent(
        services.INTENT_FUND_SUBSCRIPTION,
        **settler,
        functions=("fund(address,uint256,address,uint256,uint256,uint8,bytes32,bytes32)",),
        confirmed=nudging_indexer(services.subscription_funded),
        failed=services.subscription_funding_failed,
    )
    outbox.register_intent(
        services.INTENT_SETTLE_BATCH,
        **settler,
        functions=("settleBatch(address,(uint256,uint256)[])",),
        confirmed=nudging_indexer(services.allotments_settled),
        failed=services.allotments_settlement_failed,
    )
    outbox.register_intent(
        services.INTENT_SETTLE_ALLOTMENT,
        **settler,
        functions=("settle(address,uint256,uint256)",),
        confirmed=nudging_indexer(services.allotments_settled),
        failed=services.allotments_settlement_failed,
    )
    outbox.register_intent(
        services.INTENT_REFUND,
        **settler,
        functions=("refundBatch(address,uint256[])",),
        confirmed=nudging_indexer(services.subscriptions_refunded),
        failed=services.subscriptions_refund_failed,
    )
    outbox.register_intent(
        servicing.INTENT_FUND_DISTRIBUTION,
        **settler,
        functions=("fundDistribution(address,uint256,uint256,uint256,uint8,bytes32,bytes32)",),
        confirmed=nudging_indexer(servicing.payment_funded),
        failed=servicing.payment_funding_failed,
    )
    outbox.register_intent(
        servicing.INTENT_PAY_DISTRIBUTION,
        **settler,
        functions=("payout(uint256,uint256,address[],uint256[])",),
        confirmed=nudging_indexer(servicing.payout_paid),
        failed=servicing.payout_failed,
    )
    outbox.register_intent(
        servicing.INTENT_CLOSE_DISTRIBUTION,
        **settler,
        functions=("closeDistribution(uint256)",),
        confirmed=nudging_indexer(servicing.distribution_closed),
        failed=servicing.distribution_close_failed,
    )
    # Redemption at maturity burns holders' units: the token agent's power, held by the timelock.
    token_services.register_admin_operation(
        target=ContractKind.SECURITY_TOKEN,
        function="redeemTokens",
        intent=servicing.INTENT_REDEEM_UNITS,
        confirmed=nudging_indexer(servicing.units_redeemed),
        failed=servicing.units_redemption_failed,
    )
    outbox.register_intent(
        services.INTENT_TRANSFER_UNITS,
        **settler,
        functions=(
            "transferUnits(address,uint256,address,address,uint256,uint256,uint256,"
            "(uint8,bytes32,bytes32),(uint8,bytes32,bytes32))",
        ),
        confirmed=nudging_indexer(services.transfer_delivered),
        failed=services.transfer_delivery_failed,
    )
    # Trade documents: the registrar key registers, releases and withdraws fingerprints.
    registrar = {"signer": WalletKind.REGISTRAR, "targets": (ContractKind.DOCUMENT_REGISTRY,)}
    outbox.register_intent(
        trade.INTENT_REGISTER_DOCUMENT,
        **registrar,
        functions=("registerDocument(bytes32,bytes32,uint256)",),
        confirmed=trade.trade_document_registered,
        failed=trade.trade_document_registration_failed,
    )
    outbox.register_intent(
        trade.INTENT_RELEASE_DOCUMENT,
        **registrar,
        functions=("releaseDocument(bytes32)",),
        confirmed=trade.trade_document_released,
        failed=trade.trade_document_change_failed,
    )
    outbox.register_intent(
        trade.INTENT_WITHDRAW_DOCUMENT,
        **registrar,
        functions=("withdrawDocument(bytes32)",),
        confirmed=trade.trade_document_withdrawn,
        failed=trade.trade_document_change_failed,
    )
