// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

/// @title What Settlement needs from a security token.
interface IMintable {
    /// @notice Mint `amount` to `to` (reverts when the token's rules refuse it).
    function mint(address to, uint256 amount) external;

    /// @notice Mint `amounts[i]` to `to[i]` for every i, all or nothing, under the same rules as `mint`.
    function mintAllotments(address[] calldata to, uint256[] calldata amounts) external;
}
