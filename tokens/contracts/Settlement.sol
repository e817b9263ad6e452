// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IMintable} from "./interfaces/IMintable.sol";

/// @title Settlement: delivery versus payment for allotments, and batch payouts for distributions.
/// @notice Each allotment id settles at most once ever and each distribution id pays at most once
///         ever, so a retried transaction can never pay or deliver twice.
/// @dev Investors and payers approve this contract on the payment token (investors by EIP-2612
///      permit); SETTLER_ROLE is therefore trusted to name payer and amounts, and must be held only
///      by the platform's settlement signer. This contract needs MINTER_ROLE on each security token.
contract Settlement is AccessControl {
    using SafeERC20 for IERC20;

    /// @notice Role allowed to settle allotments and pay distributions.
    bytes32 public constant SETTLER_ROLE = keccak256("SETTLER_ROLE");

    /// @notice One allotment: `payment` base units of the payment token from investor to issuer
    ///         against `units` security tokens minted to the investor.
    struct Allotment {
        uint256 allotmentId;
        address token;
        address investor;
        address issuer;
        uint256 units;
        uint256 payment;
    }

    /// @notice The payment token (HKD stablecoin), fixed at deployment.
    IERC20 public immutable paymentToken;

    /// @dev Bit (id & 255) of word (id >> 8) is set once the id is used.
    mapping(uint256 word => uint256 bits) private _settled;
    mapping(uint256 word => uint256 bits) private _paid;

    /// @notice An allotment was settled.
    event Settled(
        uint256 indexed allotmentId,
        address indexed token,
        address indexed investor,
        address issuer,
        uint256 units,
        uint256 payment
    );
    /// @notice A distribution was paid to its holders.
    event DistributionPaid(uint256 indexed distributionId, address indexed payer, uint256 holders, uint256 total);

    /// @notice The allotment id has already settled.
    error AlreadySettled(uint256 allotmentId);
    /// @notice The distribution id has already been paid.
    error AlreadyPaid(uint256 distributionId);
    /// @notice holders and amounts differ in length.
    error LengthMismatch();
    /// @notice The zero address cannot be the payment token.
    error InvalidPaymentToken();

    /// @param admin Receives DEFAULT_ADMIN_ROLE and SETTLER_ROLE.
    /// @param paymentToken_ The payment token, immutable.
    constructor(address admin, address paymentToken_) {
        if (paymentToken_ == address(0)) revert InvalidPaymentToken();
        paymentToken = IERC20(paymentToken_);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(SETTLER_ROLE, admin);
    }

    /// @notice Settle one allotment atomically: payment from investor to issuer, units minted to investor.
    function settle(
        uint256 allotmentId,
        address token,
        address investor,
        address issuer,
        uint256 units,
        uint256 payment
    ) external onlyRole(SETTLER_ROLE) {
        _settle(allotmentId, token, investor, issuer, units, payment);
    }

    /// @notice Settle many allotments in one transaction, all or nothing.
    function settleBatch(Allotment[] calldata allotments) external onlyRole(SETTLER_ROLE) {
        for (uint256 i; i < allotments.length; ++i) {
            Allotment calldata a = allotments[i];
            _settle(a.allotmentId, a.token, a.investor, a.issuer, a.units, a.payment);
        }
    }

    /// @notice Pay `amounts[i]` of the payment token from `payer` to `holders[i]`, all or nothing.
    function payout(uint256 distributionId, address payer, address[] calldata holders, uint256[] calldata amounts)
        external
        onlyRole(SETTLER_ROLE)
    {
        if (holders.length != amounts.length) revert LengthMismatch();
        if (!_mark(_paid, distributionId)) revert AlreadyPaid(distributionId);
        IERC20 token = paymentToken;
        uint256 total;
        for (uint256 i; i < holders.length; ++i) {
            uint256 amount = amounts[i];
            if (amount == 0) continue;
            total += amount;
            token.safeTransferFrom(payer, holders[i], amount);
        }
        emit DistributionPaid(distributionId, payer, holders.length, total);
    }

    /// @notice Whether `allotmentId` has settled.
    function isSettled(uint256 allotmentId) external view returns (bool) {
        return _settled[allotmentId >> 8] & (1 << (allotmentId & 255)) != 0;
    }

    /// @notice Whether `distributionId` has been paid.
    function isPaid(uint256 distributionId) external view returns (bool) {
        return _paid[distributionId >> 8] & (1 << (distributionId & 255)) != 0;
    }

    function _settle(
        uint256 allotmentId,
        address token,
        address investor,
        address issuer,
        uint256 units,
        uint256 payment
    ) private {
        if (!_mark(_settled, allotmentId)) revert AlreadySettled(allotmentId);
        if (payment != 0) paymentToken.safeTransferFrom(investor, issuer, payment);
        IMintable(token).mint(investor, units);
        emit Settled(allotmentId, token, investor, issuer, units, payment);
    }

    /// @dev Set the id's bit; false when it was already set (checked before any external call).
    function _mark(mapping(uint256 => uint256) storage bitmap, uint256 id) private returns (bool) {
        uint256 mask = 1 << (id & 255);
        uint256 bits = bitmap[id >> 8];
        if (bits & mask != 0) return false;
        bitmap[id >> 8] = bits | mask;
        return true;
    }
}
