"""Secret-shaped values written in this repository: the demo's, the tests' and earlier builds'.

They are public, so production refuses every one of them (`config.env.env_secret`). Dev and test
settings take their defaults from here, so a new committed default cannot miss the list.
"""

DEMO_SECRET_KEY = "insecure-demo-key-change-me-in-production-0123456789"
DEMO_WALLET_KEY = "ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q="
TEST_WALLET_KEY = "dGVzdC1vbmx5LWtleS1mb3ItdGhlLXRlc3Qtc3VpdGU="

PUBLIC_SECRET_VALUES = frozenset(
    {
        DEMO_SECRET_KEY,
        DEMO_WALLET_KEY,
        TEST_WALLET_KEY,
        # Placeholders of earlier .env.example and image builds: in the history, so public forever.
        "change-me-to-a-long-random-string",
        "change-me",
        "collectstatic-only",
        "Y29sbGVjdHN0YXRpYy1vbmx5LWtleS0wMTIzNDU2Nzg5",
    }
)
