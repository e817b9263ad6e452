// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title PlatformTimelock: the platform's admin, OpenZeppelin's TimelockController unchanged.
/// @notice Holds DEFAULT_ADMIN_ROLE and REGISTRAR_ROLE on Settlement and DEFAULT_ADMIN_ROLE and AGENT_ROLE on
///         each security token, so role grants, offering registrations and agent actions need a proposer's
///         schedule, then `minDelay` seconds, then an executor (a second key).
contract PlatformTimelock is TimelockController {
    /// @param minDelay Seconds between schedule and execute.
    /// @param proposers Receive PROPOSER_ROLE and CANCELLER_ROLE.
    /// @param executors Receive EXECUTOR_ROLE (the zero address would let anyone execute).
    /// @param admin Optional extra admin for the initial set-up; the zero address for none.
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
