// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

/// @title DocumentRegistry: fingerprints of financed documents and their financing status.
/// @notice A fingerprint is the hash of an invoice's or bill of lading's canonical fields, so the
///         same document cannot back two financings. A registered document is Financed; it becomes
///         Released when the financing is repaid (final: a paid invoice is never financed again) or
///         Withdrawn when the financing never happened (e.g. the offering was cancelled). Only a
///         withdrawn fingerprint may be registered again.
contract DocumentRegistry is AccessControl {
    /// @notice Role allowed to register, release and withdraw documents.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    /// @notice The financing status of a fingerprint; None means never registered.
    enum Status {
        None,
        Financed,
        Released,
        Withdrawn
    }

    /// @dev kind and reference as given; registeredAt is the time of the latest registration.
    struct Document {
        bytes32 kind;
        uint256 referenceId;
        address registrant;
        uint64 registeredAt;
        Status status;
    }

    mapping(bytes32 fingerprint => Document) private _documents;

    /// @notice A fingerprint was registered (it is now Financed).
    event DocumentRegistered(
        bytes32 indexed fingerprint, bytes32 indexed kind, uint256 indexed referenceId, address registrant
    );
    /// @notice A financed document was repaid and released.
    event DocumentReleased(bytes32 indexed fingerprint, uint256 indexed referenceId);
    /// @notice A financing that never happened gave its document back.
    event DocumentWithdrawn(bytes32 indexed fingerprint, uint256 indexed referenceId);

    /// @notice The fingerprint is already registered (financed or released).
    error AlreadyRegistered(bytes32 fingerprint);
    /// @notice The zero fingerprint is not a document.
    error InvalidFingerprint();
    /// @notice Release and withdrawal apply only to a financed document.
    error NotFinanced(bytes32 fingerprint, Status status);

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
        if (doc.status == Status.Financed || doc.status == Status.Released) revert AlreadyRegistered(fingerprint);
        doc.kind = kind;
        doc.referenceId = referenceId;
        doc.registrant = msg.sender;
        doc.registeredAt = uint64(block.timestamp);
        doc.status = Status.Financed;
        emit DocumentRegistered(fingerprint, kind, referenceId, msg.sender);
    }

    /// @notice The financing of `fingerprint` was repaid: the document is released, for good.
    function releaseDocument(bytes32 fingerprint) external onlyRole(REGISTRAR_ROLE) {
        Document storage doc = _financed(fingerprint);
        doc.status = Status.Released;
        emit DocumentReleased(fingerprint, doc.referenceId);
    }

    /// @notice The financing of `fingerprint` never happened: the document may be registered again.
    function withdrawDocument(bytes32 fingerprint) external onlyRole(REGISTRAR_ROLE) {
        Document storage doc = _financed(fingerprint);
        doc.status = Status.Withdrawn;
        emit DocumentWithdrawn(fingerprint, doc.referenceId);
    }

    /// @notice Whether `fingerprint` is registered and not withdrawn (financed or released).
    function isRegistered(bytes32 fingerprint) external view returns (bool) {
        Status status = _documents[fingerprint].status;
        return status == Status.Financed || status == Status.Released;
    }

    /// @notice The registration of `fingerprint` (all zero when never registered).
    function documentOf(bytes32 fingerprint)
        external
        view
        returns (bytes32 kind, uint256 referenceId, address registrant, uint64 registeredAt, Status status)
    {
        Document storage doc = _documents[fingerprint];
        return (doc.kind, doc.referenceId, doc.registrant, doc.registeredAt, doc.status);
    }

    function _financed(bytes32 fingerprint) private view returns (Document storage doc) {
        doc = _documents[fingerprint];
        if (doc.status != Status.Financed) revert NotFinanced(fingerprint, doc.status);
    }
}
