"""Verifiable attestations: EIP-712 statements the platform signs with its attester key (a verified
company, a verified professional investor), downloaded by their holders, verified by anyone with the
platform's published attester address, and revoked on chain in the AttestationRegistry."""
