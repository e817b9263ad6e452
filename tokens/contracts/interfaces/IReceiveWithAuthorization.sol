// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

/// @title What Settlement needs from a payment token: EIP-3009's payee-only transfer by authorisation.
interface IReceiveWithAuthorization {
    /// @notice Move `value` from `from` to `to` (the caller) as `from` signed for exactly this window and nonce.
    function receiveWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external;
}
