// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title BaselineERC20: a plain OpenZeppelin ERC-20, the yardstick of the gas benchmark only.
contract BaselineERC20 is ERC20, Ownable {
    constructor(address owner) ERC20("Baseline", "BASE") Ownable(owner) {}

    /// @notice Owner-only mint.
    function mint(address to, uint256 amount) external onlyOwner {
        _mint(to, amount);
    }
}
