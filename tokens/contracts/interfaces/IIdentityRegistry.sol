// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

/// @title The platform's on-chain investor register, as seen by the tokens.
/// @notice A packed identity is `country | classes << 16 | expiry << 24` (0 when not registered).
interface IIdentityRegistry {
    /// @notice Whether `wallet` is registered and its identity has not expired.
    function isVerified(address wallet) external view returns (bool);

    /// @notice The identity of `wallet` (all zero when not registered).
    function identityOf(address wallet) external view returns (uint16 country, uint8 classes, uint64 expiry);

    /// @notice The packed identity of `wallet`, one storage read.
    function packedIdentityOf(address wallet) external view returns (uint256);

    /// @notice The packed identities of a transfer's sender and recipient in one call (what a transfer check needs).
    function identitiesOfTransfer(address from, address to) external view returns (uint256, uint256);

    /// @notice The packed identities of many wallets in one call, in order (what a batch mint needs).
    function packedIdentities(address[] calldata wallets) external view returns (uint256[] memory);
}
