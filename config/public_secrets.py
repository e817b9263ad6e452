"""Secret-shaped values written in this repository: the demo's, the tests' and earlier builds'.

They are public, so production refuses every one of them (`config.env.env_secret`). Dev and test
settings take their defaults from here, so a new committed default cannot miss the list.
"""

DEMO_SECRET_KEY = "insecure-demo-key-change-me-in-production-0123456789"
DEMO_AUDIT_HMAC_KEY = "demo-audit-trail-key-public-in-the-repository"
DEMO_PLATFORM_WALLET_KEY = "ZGVtby1wbGF0Zm9ybS1rZXlzLW5vdC1mb3ItcHJvZC0="
DEMO_CUSTOMER_WALLET_KEY = "ZGVtby1jdXN0b21lci1rZXlzLW5vdC1mb3ItcHJvZC0="
TEST_PLATFORM_WALLET_KEY = "dGVzdC1vbmx5LXBsYXRmb3JtLWtleXMtZm9yLXRlc3Q="
TEST_CUSTOMER_WALLET_KEY = "dGVzdC1vbmx5LWN1c3RvbWVyLWtleXMtZm9yLXRlc3Q="

PUBLIC_SECRET_VALUES = frozenset(
    {
        DEMO_SECRET_KEY,
        DEMO_AUDIT_HMAC_KEY,
        DEMO_PLATFORM_WALLET_KEY,
        DEMO_CUSTOMER_WALLET_KEY,
        TEST_PLATFORM_WALLET_KEY,
        TEST_CUSTOMER_WALLET_KEY,
        # The single wallet keys of earlier builds (before platform and customer keys were split).
        "ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q=",
        "dGVzdC1vbmx5LWtleS1mb3ItdGhlLXRlc3Qtc3VpdGU=",
        # Placeholders of earlier .env.example and image builds: in the history, so public forever.
        "change-me-to-a-long-random-string",
        "change-me",
        "collectstatic-only",
        "Y29sbGVjdHN0YXRpYy1vbmx5LWtleS0wMTIzNDU2Nzg5",
    }
)
