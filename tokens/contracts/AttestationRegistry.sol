// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title AttestationRegistry: the platform's published attester address and the revocations of its
///        signed EIP-712 attestations.
/// @notice An attestation is signed off chain by the attester key; anyone verifies it with that key's
///         address alone. This contract is the attestations' EIP-712 `verifyingContract`: it publishes the
///         attester address and records, by digest, each attestation the platform has revoked.
contract AttestationRegistry is AccessControl {
    /// @notice Role allowed to revoke attestations (the platform's attester key).
    bytes32 public constant ATTESTER_ROLE = keccak256("ATTESTER_ROLE");

    /// @dev revokedAt 0 means not revoked.
    struct Revocation {
        bytes32 reason;
        address revoker;
        uint64 revokedAt;
    }

    /// @notice The address whose EIP-712 signatures are the platform's attestations.
    address public attester;

    mapping(bytes32 digest => Revocation) private _revocations;

    /// @notice An attestation was revoked.
    event AttestationRevoked(bytes32 indexed digest, bytes32 indexed reason, address revoker);
    /// @notice The published attester address changed.
    event AttesterChanged(address indexed previous, address indexed current);

    /// @notice The attestation is already revoked.
    error AlreadyRevoked(bytes32 digest);
    /// @notice The zero digest is not an attestation.
    error InvalidDigest();
    /// @notice The zero address cannot attest.
    error InvalidAttester();

    /// @param admin Receives DEFAULT_ADMIN_ROLE (it may change the published attester).
    /// @param initialAttester Published as `attester` and given ATTESTER_ROLE.
    constructor(address admin, address initialAttester) {
        if (initialAttester == address(0)) revert InvalidAttester();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setAttester(initialAttester);
    }

    /// @notice Revoke the attestation whose EIP-712 digest is `digest`, for `reason` (a short code).
    function revoke(bytes32 digest, bytes32 reason) external onlyRole(ATTESTER_ROLE) {
        if (digest == bytes32(0)) revert InvalidDigest();
        Revocation storage revocation = _revocations[digest];
        if (revocation.revokedAt != 0) revert AlreadyRevoked(digest);
        revocation.reason = reason;
        revocation.revoker = msg.sender;
        revocation.revokedAt = uint64(block.timestamp);
        emit AttestationRevoked(digest, reason, msg.sender);
    }

    /// @notice Publish a new attester address (key rotation): it takes ATTESTER_ROLE, the old one loses it.
    ///         Attestations signed by the old key no longer verify against the published address.
    function setAttester(address newAttester) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (newAttester == address(0)) revert InvalidAttester();
        _revokeRole(ATTESTER_ROLE, attester);
        _setAttester(newAttester);
    }

    /// @notice Whether the attestation with `digest` is revoked.
    function isRevoked(bytes32 digest) external view returns (bool) {
        return _revocations[digest].revokedAt != 0;
    }

    /// @notice When the attestation with `digest` was revoked (0 when it is not).
    function revokedAt(bytes32 digest) external view returns (uint64) {
        return _revocations[digest].revokedAt;
    }

    /// @notice The revocation of `digest` (all zero when it is not revoked).
    function revocationOf(bytes32 digest) external view returns (bytes32 reason, address revoker, uint64 timestamp) {
        Revocation storage revocation = _revocations[digest];
        return (revocation.reason, revocation.revoker, revocation.revokedAt);
    }

    function _setAttester(address newAttester) private {
        emit AttesterChanged(attester, newAttester);
        attester = newAttester;
        _grantRole(ATTESTER_ROLE, newAttester);
    }
}
