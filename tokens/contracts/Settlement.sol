// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IAuthorisedTransfer} from "./interfaces/IAuthorisedTransfer.sol";
import {IMintCheck} from "./interfaces/IMintCheck.sol";
import {IMintable} from "./interfaces/IMintable.sol";
import {IReceiveWithAuthorization} from "./interfaces/IReceiveWithAuthorization.sol";

/// @title Settlement: escrowed subscriptions delivered against payment, and escrowed distributions.
/// @notice Money moves only as its owner signed. A subscription's money enters escrow through the
///         investor's EIP-3009 authorisation of exactly that subscription's amount; at settlement the
///         escrow pays the offering's registered issuer units x registered price and refunds the rest
///         to the investor; a refund returns the whole escrow to the investor. A distribution is
///         funded by the registered issuer's own authorisation and pays only current holders of the
///         offering's token, the remainder going back to the issuer. A transfer between two holders
///         moves the seller's units only under the seller's own authorisation and, against payment, the
///         buyer's money only under the buyer's authorisation of exactly the agreed price, both in one
///         call, once per transfer id. No allowance is ever needed.
/// @dev REGISTRAR_ROLE (behind the platform timelock) registers offerings and allows payment tokens;
///      SETTLER_ROLE (the settler key) can only choose when and how many units settle, never where
///      money goes. This contract needs MINTER_ROLE on each offering's security token.
contract Settlement is AccessControl {
    using SafeERC20 for IERC20;

    /// @notice Registers offerings and allows payment tokens.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @notice Funds, settles and refunds escrows; funds, pays and closes distributions.
    bytes32 public constant SETTLER_ROLE = keccak256("SETTLER_ROLE");

    /// @notice One item of a batch settlement: `units` of the subscription's escrow are delivered.
    struct Settle {
        uint256 subscriptionId;
        uint256 units;
    }

    /// @dev Two slots: (issuer, unitPrice) and (paymentToken, settleBy); registered once, never changed.
    struct Offering {
        address issuer;
        uint96 unitPrice;
        address paymentToken;
        uint64 settleBy;
    }

    /// @dev One slot, zeroed when the escrow settles or is refunded.
    struct Escrow {
        address investor;
        uint96 amount;
    }

    /// @notice A customer's EIP-712 / EIP-3009 signature.
    struct Authorisation {
        uint8 v;
        bytes32 r;
        bytes32 s;
    }

    /// @dev One slot; `remaining` drops to zero when the distribution is closed, the token stays.
    struct Distribution {
        address token;
        uint96 remaining;
    }

    mapping(address paymentToken => bool) private _allowedPaymentTokens;
    mapping(address token => Offering) private _offerings;
    mapping(address token => mapping(uint256 subscriptionId => Escrow)) private _escrows;
    /// @dev Bit (id & 255) of word (id >> 8) is set once the subscription settled.
    mapping(address token => mapping(uint256 word => uint256 bits)) private _settled;
    mapping(uint256 distributionId => Distribution) private _distributions;
    /// @dev Bit (id & 255) of word (id >> 8) is set once the payout id is used.
    mapping(uint256 word => uint256 bits) private _paid;
    /// @dev Bit (id & 255) of word (id >> 8) is set once the transfer id is used.
    mapping(uint256 word => uint256 bits) private _transferred;

    /// @notice A payment token was allowed or disallowed for new offerings.
    event PaymentTokenAllowed(address indexed paymentToken, bool allowed);
    /// @notice An offering was registered.
    event OfferingRegistered(
        address indexed token, address indexed issuer, address paymentToken, uint256 unitPrice, uint64 settleBy
    );
    /// @notice A subscription's money entered escrow.
    event Funded(
        uint256 indexed subscriptionId, address indexed token, address indexed investor, uint256 units, uint256 amount
    );
    /// @notice A subscription settled: units minted, payment to the issuer, refund to the investor.
    event Settled(
        uint256 indexed subscriptionId,
        address indexed token,
        address indexed investor,
        address issuer,
        uint256 units,
        uint256 payment,
        uint256 refund
    );
    /// @notice A subscription's whole escrow went back to its investor.
    event Refunded(uint256 indexed subscriptionId, address indexed token, address indexed investor, uint256 amount);
    /// @notice The issuer escrowed a distribution.
    event DistributionFunded(
        uint256 indexed distributionId, address indexed token, address indexed issuer, uint256 amount
    );
    /// @notice Part of a distribution was paid to current holders.
    event DistributionPaid(uint256 indexed payoutId, uint256 indexed distributionId, uint256 holders, uint256 total);
    /// @notice A distribution's remainder went back to the issuer.
    event DistributionClosed(uint256 indexed distributionId, uint256 returned);

    /// @notice Units moved from a seller to a buyer under the seller's authorisation, against `price`
    ///         (payment-token base units, paid by the buyer's authorisation) or free when it is zero.
    event UnitsTransferred(
        uint256 indexed transferId,
        address indexed token,
        address indexed seller,
        address buyer,
        uint256 units,
        uint256 price
    );

    /// @notice The token already has an offering.
    error OfferingAlreadyRegistered(address token);
    /// @notice The payment token is not on the allowlist.
    error PaymentTokenNotAllowed(address paymentToken);
    /// @notice Zero token or issuer, zero price or one above 2**96 - 1, or settleBy not in the future.
    error InvalidOffering();
    /// @notice The token has no registered offering.
    error UnknownOffering(address token);
    /// @notice The offering's settleBy has passed: its escrows can only be refunded.
    error SettlementWindowClosed(address token);
    /// @notice Units are zero, or their amount does not fit an escrow (2**96 - 1 base units).
    error InvalidUnits();
    /// @notice The subscription already has an escrow.
    error EscrowExists(uint256 subscriptionId);
    /// @notice The subscription already settled (it is never funded again).
    error AlreadySettled(uint256 subscriptionId);
    /// @notice The subscription has no escrow (never funded, settled or refunded).
    error NoEscrow(uint256 subscriptionId);
    /// @notice The payment for the units is more than the escrow holds.
    error ExceedsEscrow(uint256 subscriptionId, uint256 escrowed, uint256 payment);
    /// @notice Before the offering's settleBy only the settler may refund.
    error NotAllowedYet();
    /// @notice The distribution id is funded already.
    error DistributionExists(uint256 distributionId);
    /// @notice The distribution amount is zero or above 2**96 - 1 base units.
    error InvalidAmount();
    /// @notice The distribution id was never funded.
    error UnknownDistribution(uint256 distributionId);
    /// @notice The payout id has been used.
    error AlreadyPaid(uint256 payoutId);
    /// @notice The transfer id has been used.
    error AlreadyTransferred(uint256 transferId);
    /// @notice holders and amounts differ in length.
    error LengthMismatch();
    /// @notice The address holds none of the distribution's token.
    error NotAHolder(address holder);
    /// @notice The payout is more than the distribution has left.
    error ExceedsFunding(uint256 distributionId, uint256 remaining, uint256 total);

    /// @param admin Receives DEFAULT_ADMIN_ROLE and REGISTRAR_ROLE (the platform timelock).
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REGISTRAR_ROLE, admin);
    }

    // ---------------------------------------------------------------- offerings

    /// @notice Allow or disallow `paymentToken` for offerings registered from now on.
    function setPaymentTokenAllowed(address paymentToken, bool allowed) external onlyRole(REGISTRAR_ROLE) {
        _allowedPaymentTokens[paymentToken] = allowed;
        emit PaymentTokenAllowed(paymentToken, allowed);
    }

    /// @notice Whether new offerings may use `paymentToken`.
    function isPaymentTokenAllowed(address paymentToken) external view returns (bool) {
        return _allowedPaymentTokens[paymentToken];
    }

    /// @notice Register the offering of `token`, once: its issuer, payment token, price per unit and deadline.
    function registerOffering(address token, address issuer, address paymentToken, uint256 unitPrice, uint64 settleBy)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        if (
            token == address(0) || issuer == address(0) || unitPrice == 0 || unitPrice > type(uint96).max
                || settleBy <= block.timestamp
        ) revert InvalidOffering();
        if (_offerings[token].issuer != address(0)) revert OfferingAlreadyRegistered(token);
        if (!_allowedPaymentTokens[paymentToken]) revert PaymentTokenNotAllowed(paymentToken);
        _offerings[token] = Offering(issuer, uint96(unitPrice), paymentToken, settleBy);
        emit OfferingRegistered(token, issuer, paymentToken, unitPrice, settleBy);
    }

    /// @notice The registered offering of `token` (all zero when none).
    function offeringOf(address token)
        external
        view
        returns (address issuer, address paymentToken, uint256 unitPrice, uint64 settleBy)
    {
        Offering memory o = _offerings[token];
        return (o.issuer, o.paymentToken, o.unitPrice, o.settleBy);
    }

    // ---------------------------------------------------------------- subscriptions

    /// @notice The EIP-3009 nonce an investor signs to fund `units` of subscription `subscriptionId` of `token`.
    function authorizationNonce(address token, uint256 subscriptionId, uint256 units) public view returns (bytes32) {
        return keccak256(abi.encode(address(this), token, subscriptionId, units));
    }

    /// @notice Move units x price from the investor into escrow, with the investor's authorisation of exactly that.
    function fund(
        address token,
        uint256 subscriptionId,
        address investor,
        uint256 units,
        uint256 validBefore,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external onlyRole(SETTLER_ROLE) {
        Offering memory o = _openOffering(token);
        if (units == 0 || units > type(uint96).max) revert InvalidUnits();
        uint256 amount = units * o.unitPrice;
        if (amount > type(uint96).max) revert InvalidUnits();
        Escrow storage escrow = _escrows[token][subscriptionId];
        if (escrow.amount != 0) revert EscrowExists(subscriptionId);
        if (_isMarked(_settled[token], subscriptionId)) revert AlreadySettled(subscriptionId);
        escrow.investor = investor;
        escrow.amount = uint96(amount);
        IReceiveWithAuthorization(o.paymentToken).receiveWithAuthorization(
            investor, address(this), amount, 0, validBefore, authorizationNonce(token, subscriptionId, units), v, r, s
        );
        emit Funded(subscriptionId, token, investor, units, amount);
    }

    /// @notice The escrow of subscription `subscriptionId` of `token` (all zero when none).
    function escrowOf(address token, uint256 subscriptionId) external view returns (address investor, uint256 amount) {
        Escrow memory e = _escrows[token][subscriptionId];
        return (e.investor, e.amount);
    }

    /// @notice Deliver `units` against the subscription's escrow: the issuer is paid, any excess refunded.
    function settle(address token, uint256 subscriptionId, uint256 units) external onlyRole(SETTLER_ROLE) {
        Offering memory o = _openOffering(token);
        uint256 payment = _settle(token, o, subscriptionId, units);
        if (payment != 0) IERC20(o.paymentToken).safeTransfer(o.issuer, payment);
    }

    /// @notice Settle many subscriptions of one offering, all or nothing; the issuer is paid once, the sum.
    /// @dev Same checks and events as `settle` item by item, but the effects come first and the calls
    ///      after: escrows closed and settled bits set (one bitmap write per 256-id word), then one
    ///      `mintAllotments` call for every allotment, then the refunds of cuts, then the issuer.
    function settleBatch(address token, Settle[] calldata items) external onlyRole(SETTLER_ROLE) {
        Offering memory o = _openOffering(token);
        uint256 n = items.length;
        // The token's mintAllotments(address[] to, uint256[] amounts) call, written in place as the loop
        // goes: selector, the two offsets, then each array's length and words. Refunds live beside it.
        uint256 data = _allocate(0x84 + (n << 6));
        uint256 investors = data + 0x64; // to[0]
        uint256 units = investors + 0x20 + (n << 5); // amounts[0]
        uint256 refunds = _allocate(n << 5);
        bytes4 selector = IMintable.mintAllotments.selector;
        assembly ("memory-safe") {
            mstore(data, selector)
            mstore(add(data, 0x04), 0x40)
            mstore(add(data, 0x24), add(0x60, shl(5, n)))
            mstore(add(data, 0x44), n)
            mstore(sub(units, 0x20), n)
        }
        mapping(uint256 => Escrow) storage escrows = _escrows[token];
        mapping(uint256 => uint256) storage settled = _settled[token];
        uint256 word = type(uint256).max; // no word loaded yet (ids >> 8 never reach it)
        uint256 bits;
        uint256 total;
        bool anyRefund;
        for (uint256 i; i < n;) {
            Settle calldata item = items[i];
            uint256 subscriptionId = item.subscriptionId;
            uint256 u = item.units;
            // The escrow slot read and cleared raw: investor (bits 0..159) | amount (160..255).
            Escrow storage escrowSlot = escrows[subscriptionId];
            uint256 raw;
            assembly ("memory-safe") {
                raw := sload(escrowSlot.slot)
            }
            uint256 escrowed = raw >> 160;
            if (escrowed == 0) revert NoEscrow(subscriptionId);
            if (u == 0 || u > type(uint96).max) revert InvalidUnits();
            uint256 payment;
            uint256 excess;
            unchecked {
                // units < 2**96 and unitPrice < 2**96: the product fits.
                payment = u * o.unitPrice;
                if (payment > escrowed) revert ExceedsEscrow(subscriptionId, escrowed, payment);
                excess = escrowed - payment;
                // n payments, each at most its escrow (< 2**96), cannot overflow.
                total += payment;
            }
            assembly ("memory-safe") {
                sstore(escrowSlot.slot, 0)
            }
            if (subscriptionId >> 8 != word) {
                if (word != type(uint256).max) settled[word] = bits;
                word = subscriptionId >> 8;
                bits = settled[word];
            }
            bits |= 1 << (subscriptionId & 255);
            address investor = address(uint160(raw));
            assembly ("memory-safe") {
                // i < n: inside the call's two arrays and the refunds.
                let pos := shl(5, i)
                mstore(add(investors, pos), investor)
                mstore(add(units, pos), u)
                mstore(add(refunds, pos), excess)
                if excess { anyRefund := 1 }
            }
            emit Settled(subscriptionId, token, investor, o.issuer, u, payment, excess);
            unchecked {
                ++i;
            }
        }
        if (word != type(uint256).max) settled[word] = bits;
        assembly ("memory-safe") {
            // As a high-level call: no code is an error, a refusal bubbles up with the token's reason.
            if iszero(extcodesize(token)) { revert(0, 0) }
            if iszero(call(gas(), token, 0, data, add(0x84, shl(6, n)), 0, 0)) {
                let free := mload(0x40)
                returndatacopy(free, 0, returndatasize())
                revert(free, returndatasize())
            }
        }
        if (anyRefund) {
            IERC20 paymentToken = IERC20(o.paymentToken);
            for (uint256 i; i < n;) {
                uint256 excess;
                address investor;
                assembly ("memory-safe") {
                    let pos := shl(5, i)
                    excess := mload(add(refunds, pos))
                    investor := mload(add(investors, pos))
                }
                if (excess != 0) paymentToken.safeTransfer(investor, excess);
                unchecked {
                    ++i;
                }
            }
        }
        if (total != 0) IERC20(o.paymentToken).safeTransfer(o.issuer, total);
    }

    /// @notice Reason codes of `settleChecks` beyond the token's own `canMint` codes (0 to 31).
    uint8 internal constant CHECK_NO_ESCROW = 32;
    uint8 internal constant CHECK_ALREADY_SETTLED = 33;
    uint8 internal constant CHECK_ESCROW_SHORT = 34;
    uint8 internal constant CHECK_INVALID_UNITS = 35;
    uint8 internal constant CHECK_UNKNOWN_OFFERING = 36;
    uint8 internal constant CHECK_WINDOW_CLOSED = 37;

    /// @notice What `settleBatch(token, items)` would meet, per item, without sending it: 0 when the item
    ///         would settle on its own, else the token's `canMint` reason code or one of the CHECK_ codes.
    /// @dev One call checks a whole batch; items are judged one by one against the current state (two
    ///      items that only fail together, e.g. past a holder limit, are not foreseen).
    function settleChecks(address token, Settle[] calldata items) external view returns (uint8[] memory codes) {
        codes = new uint8[](items.length);
        Offering memory o = _offerings[token];
        uint8 offeringCode;
        if (o.issuer == address(0)) offeringCode = CHECK_UNKNOWN_OFFERING;
        else if (block.timestamp >= o.settleBy) offeringCode = CHECK_WINDOW_CLOSED;
        for (uint256 i; i < items.length; ++i) {
            if (offeringCode != 0) {
                codes[i] = offeringCode;
                continue;
            }
            uint256 id = items[i].subscriptionId;
            uint256 units = items[i].units;
            Escrow memory escrow = _escrows[token][id];
            if (_isMarked(_settled[token], id)) {
                codes[i] = CHECK_ALREADY_SETTLED;
            } else if (escrow.amount == 0) {
                codes[i] = CHECK_NO_ESCROW;
            } else if (units == 0 || units > type(uint96).max) {
                codes[i] = CHECK_INVALID_UNITS;
            } else if (units * o.unitPrice > escrow.amount) {
                codes[i] = CHECK_ESCROW_SHORT;
            } else {
                codes[i] = IMintCheck(token).canMint(escrow.investor, units);
            }
        }
    }

    /// @notice Whether subscription `subscriptionId` of `token` settled.
    function isSettled(address token, uint256 subscriptionId) external view returns (bool) {
        return _isMarked(_settled[token], subscriptionId);
    }

    /// @notice Return the whole escrow to its investor (the settler at any time; anyone from settleBy on).
    function refund(address token, uint256 subscriptionId) external {
        address paymentToken = _refundableOffering(token);
        _refund(token, paymentToken, subscriptionId);
    }

    /// @notice Return many escrows of one offering to their investors, all or nothing.
    function refundBatch(address token, uint256[] calldata subscriptionIds) external {
        address paymentToken = _refundableOffering(token);
        for (uint256 i; i < subscriptionIds.length; ++i) {
            _refund(token, paymentToken, subscriptionIds[i]);
        }
    }

    // ---------------------------------------------------------------- distributions

    /// @notice The EIP-3009 nonce an issuer signs to fund distribution `distributionId` of `token` with `amount`.
    function distributionNonce(address token, uint256 distributionId, uint256 amount) public view returns (bytes32) {
        return keccak256(abi.encode(address(this), "distribution", token, distributionId, amount));
    }

    /// @notice Move `amount` from the token's registered issuer into escrow, with the issuer's authorisation.
    function fundDistribution(
        address token,
        uint256 distributionId,
        uint256 amount,
        uint256 validBefore,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external onlyRole(SETTLER_ROLE) {
        Offering storage o = _offerings[token];
        address issuer = o.issuer;
        if (issuer == address(0)) revert UnknownOffering(token);
        if (amount == 0 || amount > type(uint96).max) revert InvalidAmount();
        Distribution storage d = _distributions[distributionId];
        if (d.token != address(0)) revert DistributionExists(distributionId);
        d.token = token;
        d.remaining = uint96(amount);
        IReceiveWithAuthorization(o.paymentToken).receiveWithAuthorization(
            issuer,
            address(this),
            amount,
            0,
            validBefore,
            distributionNonce(token, distributionId, amount),
            v,
            r,
            s
        );
        emit DistributionFunded(distributionId, token, issuer, amount);
    }

    /// @notice Pay `amounts[i]` of the distribution to `holders[i]`, each a current holder of its token; once per payoutId.
    function payout(uint256 payoutId, uint256 distributionId, address[] calldata holders, uint256[] calldata amounts)
        external
        onlyRole(SETTLER_ROLE)
    {
        Distribution memory d = _distributions[distributionId];
        if (d.token == address(0)) revert UnknownDistribution(distributionId);
        if (holders.length != amounts.length) revert LengthMismatch();
        if (!_mark(_paid, payoutId)) revert AlreadyPaid(payoutId);
        uint256 total;
        for (uint256 i; i < amounts.length; ++i) {
            total += amounts[i];
        }
        if (total > d.remaining) revert ExceedsFunding(distributionId, d.remaining, total);
        unchecked {
            _distributions[distributionId].remaining = uint96(d.remaining - total);
        }
        IERC20 paymentToken = IERC20(_offerings[d.token].paymentToken);
        IERC20 token = IERC20(d.token);
        for (uint256 i; i < holders.length; ++i) {
            address holder = holders[i];
            if (token.balanceOf(holder) == 0) revert NotAHolder(holder);
            if (amounts[i] != 0) paymentToken.safeTransfer(holder, amounts[i]);
        }
        emit DistributionPaid(payoutId, distributionId, holders.length, total);
    }

    /// @notice Return what is left of the distribution to the token's registered issuer.
    function closeDistribution(uint256 distributionId) external onlyRole(SETTLER_ROLE) {
        Distribution memory d = _distributions[distributionId];
        if (d.token == address(0)) revert UnknownDistribution(distributionId);
        _distributions[distributionId].remaining = 0;
        Offering storage o = _offerings[d.token];
        if (d.remaining != 0) IERC20(o.paymentToken).safeTransfer(o.issuer, d.remaining);
        emit DistributionClosed(distributionId, d.remaining);
    }

    /// @notice The distribution's token and what it has left (all zero when never funded).
    function distributionOf(uint256 distributionId) external view returns (address token, uint256 remaining) {
        Distribution memory d = _distributions[distributionId];
        return (d.token, d.remaining);
    }

    /// @notice Whether `payoutId` has been used.
    function isPaid(uint256 payoutId) external view returns (bool) {
        return _isMarked(_paid, payoutId);
    }

    // ---------------------------------------------------------------- transfers between holders

    /// @notice The nonce both parties sign for transfer `transferId`: it binds the token, the two wallets,
    ///         the units and the price, so an authorisation fits exactly one transfer.
    function transferNonce(
        address token,
        uint256 transferId,
        address seller,
        address buyer,
        uint256 units,
        uint256 price
    ) public view returns (bytes32) {
        return keccak256(abi.encode(address(this), "transfer", token, transferId, seller, buyer, units, price));
    }

    /// @notice Deliver `units` of `token` from `seller` to `buyer` under the seller's authorisation (verified
    ///         by the token's `permitTransfer`, naming this contract as executor) and, when `price` is not zero, against the
    ///         buyer's EIP-3009 authorisation of exactly `price` to this contract, paid on to the seller in
    ///         the same call. All or nothing, once per `transferId`; the token's rules apply.
    function transferUnits(
        address token,
        uint256 transferId,
        address seller,
        address buyer,
        uint256 units,
        uint256 price,
        uint256 validBefore,
        Authorisation calldata sellerAuthorisation,
        Authorisation calldata buyerAuthorisation
    ) external onlyRole(SETTLER_ROLE) {
        Offering storage o = _offerings[token];
        if (o.issuer == address(0)) revert UnknownOffering(token);
        address paymentToken = o.paymentToken;
        if (units == 0) revert InvalidUnits();
        if (!_mark(_transferred, transferId)) revert AlreadyTransferred(transferId);
        bytes32 nonce = transferNonce(token, transferId, seller, buyer, units, price);
        if (price != 0) {
            IReceiveWithAuthorization(paymentToken).receiveWithAuthorization(
                buyer,
                address(this),
                price,
                0,
                validBefore,
                nonce,
                buyerAuthorisation.v,
                buyerAuthorisation.r,
                buyerAuthorisation.s
            );
        }
        IAuthorisedTransfer(token).permitTransfer(
            seller, buyer, units, validBefore, nonce, sellerAuthorisation.v, sellerAuthorisation.r, sellerAuthorisation.s
        );
        // The token's rules apply here as to any transfer; the allowance just granted is spent in full.
        IERC20(token).safeTransferFrom(seller, buyer, units);
        if (price != 0) IERC20(paymentToken).safeTransfer(seller, price);
        emit UnitsTransferred(transferId, token, seller, buyer, units, price);
    }

    /// @notice Whether transfer `transferId` was delivered.
    function isTransferred(uint256 transferId) external view returns (bool) {
        return _isMarked(_transferred, transferId);
    }

    // ---------------------------------------------------------------- internals

    /// @dev The offering of `token`, which must be registered and before its settleBy.
    function _openOffering(address token) private view returns (Offering memory o) {
        o = _offerings[token];
        if (o.issuer == address(0)) revert UnknownOffering(token);
        if (block.timestamp >= o.settleBy) revert SettlementWindowClosed(token);
    }

    /// @dev The payment token of `token`'s offering, if the caller may refund its escrows now.
    function _refundableOffering(address token) private view returns (address) {
        Offering storage o = _offerings[token];
        if (block.timestamp < o.settleBy && !hasRole(SETTLER_ROLE, msg.sender)) revert NotAllowedYet();
        return o.paymentToken;
    }

    /// @dev Close one escrow: mint the units, refund the excess; returns the issuer's payment (paid by the caller).
    function _settle(address token, Offering memory o, uint256 subscriptionId, uint256 units)
        private
        returns (uint256 payment)
    {
        Escrow memory escrow = _escrows[token][subscriptionId];
        if (escrow.amount == 0) revert NoEscrow(subscriptionId);
        if (units == 0 || units > type(uint96).max) revert InvalidUnits();
        payment = units * o.unitPrice;
        if (payment > escrow.amount) revert ExceedsEscrow(subscriptionId, escrow.amount, payment);
        delete _escrows[token][subscriptionId];
        _mark(_settled[token], subscriptionId);
        IMintable(token).mint(escrow.investor, units);
        uint256 excess;
        unchecked {
            excess = escrow.amount - payment;
        }
        if (excess != 0) IERC20(o.paymentToken).safeTransfer(escrow.investor, excess);
        emit Settled(subscriptionId, token, escrow.investor, o.issuer, units, payment, excess);
    }

    /// @dev Return one whole escrow to its investor.
    function _refund(address token, address paymentToken, uint256 subscriptionId) private {
        Escrow memory escrow = _escrows[token][subscriptionId];
        if (escrow.amount == 0) revert NoEscrow(subscriptionId);
        delete _escrows[token][subscriptionId];
        IERC20(paymentToken).safeTransfer(escrow.investor, escrow.amount);
        emit Refunded(subscriptionId, token, escrow.investor, escrow.amount);
    }

    /// @dev `size` bytes of fresh memory (not zeroed: callers write every word they read).
    function _allocate(uint256 size) private pure returns (uint256 start) {
        assembly ("memory-safe") {
            start := mload(0x40)
            mstore(0x40, add(start, and(add(size, 31), not(31))))
        }
    }

    /// @dev Set the id's bit; false when it was already set.
    function _mark(mapping(uint256 => uint256) storage bitmap, uint256 id) private returns (bool) {
        uint256 mask = 1 << (id & 255);
        uint256 bits = bitmap[id >> 8];
        if (bits & mask != 0) return false;
        bitmap[id >> 8] = bits | mask;
        return true;
    }

    function _isMarked(mapping(uint256 => uint256) storage bitmap, uint256 id) private view returns (bool) {
        return bitmap[id >> 8] & (1 << (id & 255)) != 0;
    }
}
