// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";

/// @title IdentityRegistry: wallet -> (country, investor classes, expiry), shared by every token.
/// @notice Classes bitmask: 1 professional investor, 2 institutional, 4 retail, 8 issuer.
///         A wallet is verified while it is registered and `block.timestamp < expiry`.
contract IdentityRegistry is AccessControl, IIdentityRegistry {
    /// @notice Role allowed to register, update and revoke identities.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// @dev One slot per wallet: country (16 bits) | classes (8) | expiry (64); expiry 0 = not registered.
    struct Identity {
        uint16 country;
        uint8 classes;
        uint64 expiry;
    }

    mapping(address wallet => Identity) private _identities;

    /// @notice A wallet was registered.
    event IdentityRegistered(address indexed wallet, uint16 country, uint8 classes, uint64 expiry);
    /// @notice A registered wallet's identity changed.
    event IdentityUpdated(address indexed wallet, uint16 country, uint8 classes, uint64 expiry);
    /// @notice A wallet was removed from the register.
    event IdentityRevoked(address indexed wallet);

    /// @notice The wallet is already registered (use updateIdentity).
    error AlreadyRegistered(address wallet);
    /// @notice The wallet is not registered.
    error NotRegistered(address wallet);
    /// @notice The zero address cannot hold an identity.
    error InvalidWallet(address wallet);
    /// @notice Country 0 is not an ISO 3166 numeric code.
    error InvalidCountry(uint16 country);
    /// @notice Expiry 0 is reserved for "not registered".
    error InvalidExpiry(uint64 expiry);
    /// @notice Batch arrays differ in length.
    error LengthMismatch();

    /// @param admin Receives DEFAULT_ADMIN_ROLE and REGISTRAR_ROLE.
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REGISTRAR_ROLE, admin);
    }

    /// @notice Register a new wallet.
    function registerIdentity(address wallet, uint16 country, uint8 classes, uint64 expiry)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        _register(wallet, country, classes, expiry);
    }

    /// @notice Register many new wallets; all or nothing.
    function batchRegisterIdentity(
        address[] calldata wallets,
        uint16[] calldata countries,
        uint8[] calldata classes,
        uint64[] calldata expiries
    ) external onlyRole(REGISTRAR_ROLE) {
        uint256 n = wallets.length;
        if (countries.length != n || classes.length != n || expiries.length != n) revert LengthMismatch();
        for (uint256 i; i < n; ++i) {
            _register(wallets[i], countries[i], classes[i], expiries[i]);
        }
    }

    /// @notice Change a registered wallet's identity (country, classes, expiry).
    function updateIdentity(address wallet, uint16 country, uint8 classes, uint64 expiry)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        if (_identities[wallet].expiry == 0) revert NotRegistered(wallet);
        _validate(wallet, country, expiry);
        _identities[wallet] = Identity(country, classes, expiry);
        emit IdentityUpdated(wallet, country, classes, expiry);
    }

    /// @notice Remove a wallet from the register; its tokens can then move only through agent paths.
    function revokeIdentity(address wallet) external onlyRole(REGISTRAR_ROLE) {
        if (_identities[wallet].expiry == 0) revert NotRegistered(wallet);
        delete _identities[wallet];
        emit IdentityRevoked(wallet);
    }

    /// @inheritdoc IIdentityRegistry
    function isVerified(address wallet) external view returns (bool) {
        return _identities[wallet].expiry > block.timestamp;
    }

    /// @inheritdoc IIdentityRegistry
    function identityOf(address wallet) external view returns (uint16 country, uint8 classes, uint64 expiry) {
        Identity storage id = _identities[wallet];
        return (id.country, id.classes, id.expiry);
    }

    /// @inheritdoc IIdentityRegistry
    function packedIdentityOf(address wallet) external view returns (uint256) {
        return _packed(wallet);
    }

    /// @inheritdoc IIdentityRegistry
    /// @dev Named so that its selector (0x01488df9) is the first the dispatcher compares (every compliant
    ///      transfer calls it; as identitiesForTransfer, 0x0207ba66, it came second and cost 30 gas more).
    function identitiesOfTransfer(address from, address to) external view returns (uint256, uint256) {
        uint256 slot;
        assembly ("memory-safe") {
            slot := _identities.slot
        }
        assembly ("memory-safe") {
            mstore(0, from)
            mstore(32, slot)
            let a := sload(keccak256(0, 64))
            mstore(0, to)
            mstore(32, slot)
            mstore(32, sload(keccak256(0, 64)))
            mstore(0, a)
            return(0, 64)
        }
    }

    /// @inheritdoc IIdentityRegistry
    /// @dev Answers in assembly (one keccak and one read per wallet, no ABI re-encoding): a batch mint
    ///      of n allotments makes this one call. A wallet with dirty upper bits is refused, as the ABI
    ///      decoder would.
    function packedIdentities(address[] calldata wallets) external view returns (uint256[] memory) {
        uint256 slot;
        assembly ("memory-safe") {
            slot := _identities.slot
        }
        assembly ("memory-safe") {
            let out := mload(0x40)
            mstore(out, 0x20)
            mstore(add(out, 0x20), wallets.length)
            let dst := add(out, 0x40)
            let end := add(wallets.offset, shl(5, wallets.length))
            mstore(0x20, slot)
            for { let src := wallets.offset } lt(src, end) { src := add(src, 0x20) } {
                let wallet := calldataload(src)
                if shr(160, wallet) { revert(0, 0) }
                mstore(0, wallet)
                mstore(dst, sload(keccak256(0, 0x40)))
                dst := add(dst, 0x20)
            }
            return(out, sub(dst, out))
        }
    }

    /// @dev The raw storage slot: the struct layout is exactly the documented packing.
    function _packed(address wallet) private view returns (uint256 word) {
        Identity storage id = _identities[wallet];
        assembly ("memory-safe") {
            word := sload(id.slot)
        }
    }

    function _register(address wallet, uint16 country, uint8 classes, uint64 expiry) private {
        if (_identities[wallet].expiry != 0) revert AlreadyRegistered(wallet);
        _validate(wallet, country, expiry);
        _identities[wallet] = Identity(country, classes, expiry);
        emit IdentityRegistered(wallet, country, classes, expiry);
    }

    function _validate(address wallet, uint16 country, uint64 expiry) private pure {
        if (wallet == address(0)) revert InvalidWallet(wallet);
        if (country == 0) revert InvalidCountry(country);
        if (expiry == 0) revert InvalidExpiry(expiry);
    }
}
