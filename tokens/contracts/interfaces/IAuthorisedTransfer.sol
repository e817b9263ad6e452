// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

/// @title What Settlement needs from a security token to deliver a holder's authorised transfer.
interface IAuthorisedTransfer {
    /// @notice Let the caller move exactly `value` of `from`'s units to `to`, under `from`'s EIP-712
    ///         authorisation naming the caller as executor (each nonce once).
    function permitTransfer(
        address from,
        address to,
        uint256 value,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;
}
