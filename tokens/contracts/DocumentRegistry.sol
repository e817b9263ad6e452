// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title DocumentRegistry: fingerprints of financed documents; each can be registered once, ever.
/// @notice A fingerprint is the hash of an invoice's or bill of lading's canonical fields, so the
///         same document cannot back two financings.
contract DocumentRegistry is AccessControl {
    /// @notice Role allowed to register documents.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// @dev kind and reference as given; registeredAt 0 means not registered.
    struct Document {
        bytes32 kind;
        uint256 referenceId;
        address registrant;
        uint64 registeredAt;
    }

    mapping(bytes32 fingerprint => Document) private _documents;

    /// @notice A fingerprint was registered.
    event DocumentRegistered(
        bytes32 indexed fingerprint, bytes32 indexed kind, uint256 indexed referenceId, address registrant
    );

    /// @notice The fingerprint is already registered.
    error AlreadyRegistered(bytes32 fingerprint);
    /// @notice The zero fingerprint is not a document.
    error InvalidFingerprint();

    /// @param admin Receives DEFAULT_ADMIN_ROLE and REGISTRAR_ROLE.
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(REGISTRAR_ROLE, admin);
    }

    /// @notice Register `fingerprint` with its `kind` (e.g. "INVOICE") and an application `referenceId`.
    function registerDocument(bytes32 fingerprint, bytes32 kind, uint256 referenceId)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        if (fingerprint == bytes32(0)) revert InvalidFingerprint();
        Document storage doc = _documents[fingerprint];
        if (doc.registeredAt != 0) revert AlreadyRegistered(fingerprint);
        doc.kind = kind;
        doc.referenceId = referenceId;
        doc.registrant = msg.sender;
        doc.registeredAt = uint64(block.timestamp);
        emit DocumentRegistered(fingerprint, kind, referenceId, msg.sender);
    }

    /// @notice Whether `fingerprint` is registered.
    function isRegistered(bytes32 fingerprint) external view returns (bool) {
        return _documents[fingerprint].registeredAt != 0;
    }

    /// @notice The registration of `fingerprint` (all zero when not registered).
    function documentOf(bytes32 fingerprint)
        external
        view
        returns (bytes32 kind, uint256 referenceId, address registrant, uint64 registeredAt)
    {
        Document storage doc = _documents[fingerprint];
        return (doc.kind, doc.referenceId, doc.registrant, doc.registeredAt);
    }
}
