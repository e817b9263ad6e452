// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

/// @title What Settlement asks a security token before settling: would this mint pass its rules?
interface IMintCheck {
    /// @notice The token's reason code for minting `amount` to `to` (0: allowed).
    function canMint(address to, uint256 amount) external view returns (uint8);
}
