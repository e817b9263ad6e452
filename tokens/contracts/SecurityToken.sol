// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IIdentityRegistry} from "./interfaces/IIdentityRegistry.sol";

/// @title SecurityToken: a permissioned ERC-20 (whole units) for one offering.
/// @notice Mints and transfers succeed only between verified, unexpired, unfrozen wallets that meet
///         the token's rules. Sender side: verified, not frozen, enough free (unfrozen) balance, past
///         the lock-up. Recipient side: verified, not frozen, allowed country, at least one of the
///         required investor classes, holder cap and balance cap (as ERC-3643 compliance modules
///         check the receiver). Agent paths (forced transfer, recovery, redeem, freezes) ignore the
///         pause and the token rules but never spend frozen amounts and only deliver to verified wallets.
/// @dev Gas: each holder is one slot (balance | frozen amount | frozen flag); the rules, the pause flag,
///      the holder count and up to four allowed countries are one slot; both identities come from one
///      registry call; a branch-free check accepts the common case and only refusals (and edge cases)
///      compute the detailed reason code.
contract SecurityToken is AccessControl, IERC20Metadata, IERC20Errors {
    // Gas: solc's via-IR dispatcher compares selectors one by one in ascending order, so every external
    // function whose selector sorts before transfer's (0xa9059cbb) costs each transfer 22 gas. Hence no
    // getters for AGENT_ROLE and COMPLIANCE_ROLE (keccak256 of their names) and the rarely used
    // functions' names (setTransferRules, agentTransfer, walletRecovery, suspendTransfers, ...): their
    // selectors sort after transfer's. Check `make bench-gas` before adding or renaming a function.
    /// @dev Forced transfers, recovery, freezes, redeem; may also mint.
    bytes32 internal constant AGENT_ROLE = keccak256("AGENT_ROLE");
    /// @dev Sets the token's rules and allowed countries.
    bytes32 internal constant COMPLIANCE_ROLE = keccak256("COMPLIANCE_ROLE");
    /// @notice Pauses and unpauses transfers, mints and holder burns.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Mints (the Settlement contract holds it).
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    // Reason codes returned by canTransfer / canMint and carried by TransferNotCompliant / MintNotCompliant.
    // Internal (no getters) to keep the function dispatch short; the app holds the same table.
    uint8 internal constant OK = 0;
    uint8 internal constant PAUSED = 1;
    uint8 internal constant SENDER_NOT_VERIFIED = 2;
    uint8 internal constant RECIPIENT_NOT_VERIFIED = 3;
    uint8 internal constant SENDER_FROZEN = 4;
    uint8 internal constant RECIPIENT_FROZEN = 5;
    uint8 internal constant INSUFFICIENT_FREE_BALANCE = 6;
    uint8 internal constant COUNTRY_NOT_ALLOWED = 7;
    uint8 internal constant INVESTOR_CLASS_REQUIRED = 8;
    uint8 internal constant MAX_HOLDERS = 9;
    uint8 internal constant MAX_BALANCE = 10;
    uint8 internal constant LOCKED_UP = 11;

    // Holder word (one slot per holder): balance bits 0..127 | frozen amount bits 128..247 | frozen flag bit 255.
    uint256 private constant FROZEN_AMOUNT_SHIFT = 128;
    uint256 private constant FROZEN_FLAG = 1 << 255;

    // Config word (one slot): everything a transfer reads besides the two holders and identities.
    uint256 private constant PAUSED_FLAG = 1; // bit 0
    uint256 private constant CLASSES_SHIFT = 1; // 8 bits: any-of required investor classes
    uint256 private constant MAX_HOLDERS_SHIFT = 9; // 32 bits
    uint256 private constant HOLDER_COUNT_SHIFT = 41; // 32 bits
    uint256 private constant LOCKUP_SHIFT = 73; // 40 bits: unix seconds
    uint256 private constant MAX_BALANCE_SHIFT = 113; // 96 bits
    uint256 private constant COUNTRY_MODE_SHIFT = 209; // 3 bits: 0 all allowed, 1..4 inline list length, 7 bitmap
    uint256 private constant COUNTRY_LIST_SHIFT = 212; // 4 x 10 bits: the allowed countries when there are at most 4
    uint256 private constant INLINE_COUNTRIES = 4;
    uint256 private constant COUNTRY_MODE_BITMAP = 7;
    uint256 private constant MAX_COUNTRY = 999; // ISO 3166-1 numeric codes

    // A holder's EIP-712 authorisation of one transfer (transferWithAuthorisation): it names the contract
    // that may execute it, so a relayer holding the signature cannot submit it elsewhere or alone.
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant TRANSFER_AUTHORISATION_TYPEHASH = keccak256(
        "TransferWithAuthorisation(address from,address to,uint256 value,address executor,uint256 validBefore,bytes32 nonce)"
    );

    /// @notice The identity registry every check reads.
    IIdentityRegistry public immutable identityRegistry;

    mapping(address account => uint256 word) private _holders;
    mapping(address owner => mapping(address spender => uint256)) private _allowances;
    uint256 private _totalSupply;
    uint256 private _config;
    /// @dev Allowed-country bitmap, the source of truth: bit (country & 255) of word (country >> 8).
    mapping(uint256 word => uint256 bits) private _countryBits;
    uint256 private _allowedCountryCount;
    string private _name;
    string private _symbol;
    mapping(address holder => mapping(bytes32 nonce => bool)) private _authorisationsUsed;

    /// @notice The pause was switched on.
    event Paused(address account);
    /// @notice The pause was switched off.
    event Unpaused(address account);
    /// @notice The token's rules changed.
    event RulesUpdated(uint8 requiredClasses, uint32 maxHolders, uint256 maxBalance, uint64 lockupUntil);
    /// @notice A country was added to or removed from the allowed set.
    event CountryAllowed(uint16 indexed country, bool allowed);
    /// @notice A wallet was frozen or unfrozen as a whole.
    event AddressFrozen(address indexed wallet, bool indexed frozen, address indexed agent);
    /// @notice Part of a wallet's balance was frozen.
    event TokensFrozen(address indexed wallet, uint256 amount);
    /// @notice Part of a wallet's frozen balance was released.
    event TokensUnfrozen(address indexed wallet, uint256 amount);
    /// @notice An agent moved tokens without the holder's consent.
    event ForcedTransfer(address indexed from, address indexed to, uint256 amount, address indexed agent);
    /// @notice An agent moved a lost wallet's whole position to its replacement.
    event RecoverySuccess(address indexed lost, address indexed replacement, address indexed agent);

    /// @notice A holder's transfer authorisation was used (each nonce once per holder).
    event AuthorisationUsed(address indexed holder, bytes32 indexed nonce);

    /// @notice A transfer broke a rule; `code` is one of the reason-code constants.
    error TransferNotCompliant(uint8 code);
    /// @notice A mint broke a rule; `code` is one of the reason-code constants.
    error MintNotCompliant(uint8 code);
    /// @notice The action is refused while the token is paused.
    error EnforcedPause();
    /// @notice The token is not paused.
    error ExpectedPause();
    /// @notice The wallet is frozen.
    error WalletFrozen(address wallet);
    /// @notice Agent paths never spend frozen amounts: unfreeze first.
    error InsufficientFreeBalance(address holder, uint256 free, uint256 needed);
    /// @notice Agent paths deliver only to verified wallets.
    error RecipientNotVerified(address recipient);
    /// @notice The replacement wallet is not registered as the same investor (country and classes).
    error NotSameInvestor(address lost, address replacement);
    /// @notice The replacement wallet already holds tokens or frozen state.
    error ReplacementNotEmpty(address replacement);
    /// @notice Freezing would exceed the wallet's balance.
    error FreezeExceedsBalance(address wallet, uint256 balance, uint256 frozenAfter);
    /// @notice Unfreezing more than is frozen.
    error UnfreezeExceedsFrozen(address wallet, uint256 frozen, uint256 amount);
    /// @notice The caller may not mint.
    error NotMinter(address account);
    /// @notice A rule value does not fit its storage.
    error RuleOutOfRange();
    /// @notice The batch's arrays differ in length.
    error LengthMismatch();
    /// @notice Total supply would exceed 2**120 - 1 units.
    error SupplyOverflow();
    /// @notice Allowed countries are ISO 3166-1 numeric codes, 1..999.
    error InvalidCountry(uint16 country);
    /// @notice The transfer authorisation is past its validBefore.
    error AuthorisationExpired(uint256 validBefore);
    /// @notice The holder's authorisation with this nonce was used already.
    error AuthorisationAlreadyUsed(address holder, bytes32 nonce);
    /// @notice The signature is not the holder's authorisation of exactly this transfer by this caller.
    error InvalidAuthorisation();

    /// @param admin Receives DEFAULT_ADMIN_ROLE and AGENT_ROLE (the platform timelock: delay and a second key).
    /// @param compliance Receives COMPLIANCE_ROLE (the registrar key sets the token's rules at set-up).
    /// @param pauser Receives PAUSER_ROLE (the agent key: an emergency pause is immediate).
    /// @param settlement Receives MINTER_ROLE unless it is the zero address.
    constructor(
        string memory name_,
        string memory symbol_,
        address registry,
        address admin,
        address compliance,
        address pauser,
        address settlement
    ) {
        _name = name_;
        _symbol = symbol_;
        identityRegistry = IIdentityRegistry(registry);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(AGENT_ROLE, admin);
        _grantRole(COMPLIANCE_ROLE, compliance);
        _grantRole(PAUSER_ROLE, pauser);
        if (settlement != address(0)) _grantRole(MINTER_ROLE, settlement);
    }

    // ---------------------------------------------------------------- ERC-20

    /// @inheritdoc IERC20Metadata
    function name() external view returns (string memory) {
        return _name;
    }

    /// @inheritdoc IERC20Metadata
    function symbol() external view returns (string memory) {
        return _symbol;
    }

    /// @notice Whole units only.
    function decimals() external pure returns (uint8) {
        return 0;
    }

    /// @inheritdoc IERC20
    function totalSupply() external view returns (uint256) {
        return _totalSupply;
    }

    /// @inheritdoc IERC20
    function balanceOf(address account) external view returns (uint256) {
        return uint128(_holders[account]);
    }

    /// @inheritdoc IERC20
    function allowance(address owner, address spender) external view returns (uint256) {
        return _allowances[owner][spender];
    }

    /// @inheritdoc IERC20
    function approve(address spender, uint256 value) external returns (bool) {
        if (spender == address(0)) revert ERC20InvalidSpender(address(0));
        _allowances[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    /// @inheritdoc IERC20
    function transfer(address to, uint256 value) external returns (bool) {
        _compliantTransfer(msg.sender, to, value);
        return true;
    }

    /// @inheritdoc IERC20
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = _allowances[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert ERC20InsufficientAllowance(msg.sender, allowed, value);
            unchecked {
                _allowances[from][msg.sender] = allowed - value;
            }
        }
        _compliantTransfer(from, to, value);
        return true;
    }

    /// @notice Let the caller move exactly `value` of `from`'s units to `to`, under `from`'s EIP-712
    ///         authorisation of exactly that transfer naming the caller as executor (the Settlement
    ///         contract, which moves the units with `transferFrom` in the same call, paired with the
    ///         buyer's payment); each nonce once. The transfer itself meets the token's rules as any other.
    /// @dev Sets the caller's allowance to `value`; the executor spends it at once. Selector 0xe0014fcc sorts
    ///      after `transfer`'s, and nothing here is shared with the transfer path (measured: sharing its
    ///      internals changed the optimiser's layout and cost every transfer 24 to 36 gas).
    function permitTransfer(
        address from,
        address to,
        uint256 value,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        if (block.timestamp >= validBefore) revert AuthorisationExpired(validBefore);
        if (_authorisationsUsed[from][nonce]) revert AuthorisationAlreadyUsed(from, nonce);
        bytes32 domain = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(_name)), keccak256("1"), block.chainid, address(this))
        );
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01",
                domain,
                keccak256(abi.encode(TRANSFER_AUTHORISATION_TYPEHASH, from, to, value, msg.sender, validBefore, nonce))
            )
        );
        // Low-s signatures only (as OpenZeppelin's ECDSA), so a signature has exactly one valid form.
        if (uint256(s) > 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0) revert InvalidAuthorisation();
        address signer = ecrecover(digest, v, r, s);
        if (signer == address(0) || signer != from) revert InvalidAuthorisation();
        _authorisationsUsed[from][nonce] = true;
        _allowances[from][msg.sender] = value;
        emit AuthorisationUsed(from, nonce);
        emit Approval(from, msg.sender, value);
    }

    /// @notice Whether `holder`'s transfer authorisation with `nonce` was used.
    function transferAuthorisationUsed(address holder, bytes32 nonce) external view returns (bool) {
        return _authorisationsUsed[holder][nonce];
    }

    // ---------------------------------------------------------------- issuance and redemption

    /// @notice Mint `amount` to a verified wallet that meets the token's rules (MINTER_ROLE or AGENT_ROLE).
    function mint(address to, uint256 amount) external {
        if (!hasRole(MINTER_ROLE, msg.sender) && !hasRole(AGENT_ROLE, msg.sender)) revert NotMinter(msg.sender);
        uint256 cfg = _config;
        uint256 slot = _holderSlot(to);
        uint256 t;
        assembly ("memory-safe") {
            t := sload(slot)
        }
        uint256 id = identityRegistry.packedIdentityOf(to);
        if (!_plainlyMintable(cfg, t, id, amount)) {
            uint8 code = _mintCode(cfg, t, id, amount);
            if (code != OK) revert MintNotCompliant(code);
        }
        uint256 supply = _totalSupply + amount;
        if (supply > type(uint120).max) revert SupplyOverflow();
        _totalSupply = supply;
        unchecked {
            // balance + amount <= supply < 2**120: stays inside the balance bits.
            assembly ("memory-safe") {
                sstore(slot, add(t, amount))
            }
            // 2**32 holders would cost far more gas than exists: the count cannot overflow.
            if (uint128(t) == 0 && amount != 0) _config = cfg + (1 << HOLDER_COUNT_SHIFT);
        }
        emit Transfer(address(0), to, amount);
    }

    /// @notice Mint `amounts[i]` to `to[i]` for every i, all or nothing, each under exactly the rules of
    ///         `mint` (checked in order, so a wallet may appear twice and the holder cap counts earlier
    ///         items); MINTER_ROLE or AGENT_ROLE. The Settlement contract mints a batch's allotments here.
    /// @dev Gas: one role check, one registry call for every identity, the config and total supply read
    ///      and written once; per item only the holder slot, its identity slot and the Transfer event.
    ///      Its selector (0xc8c20c5a) sorts after `transfer`'s, so it does not lengthen a transfer's dispatch.
    function mintAllotments(address[] calldata to, uint256[] calldata amounts) external {
        if (!hasRole(MINTER_ROLE, msg.sender) && !hasRole(AGENT_ROLE, msg.sender)) revert NotMinter(msg.sender);
        uint256 n = to.length;
        if (amounts.length != n) revert LengthMismatch();
        uint256 ids = _packedIdentities(to);
        uint256 cfg = _config;
        uint256 supply = _totalSupply;
        for (uint256 i; i < n;) {
            address wallet;
            uint256 amount;
            uint256 id;
            assembly ("memory-safe") {
                // i < n: inside both calldata arrays (their bounds were checked on entry) and the ids.
                let pos := shl(5, i)
                let w := calldataload(add(to.offset, pos))
                if shr(160, w) { revert(0, 0) }
                wallet := w
                amount := calldataload(add(amounts.offset, pos))
                id := mload(add(ids, pos))
            }
            uint256 slot = _holderSlot(wallet);
            uint256 t;
            assembly ("memory-safe") {
                t := sload(slot)
            }
            if (!_plainlyMintable(cfg, t, id, amount)) {
                uint8 code = _mintCode(cfg, t, id, amount);
                if (code != OK) revert MintNotCompliant(code);
            }
            supply += amount;
            if (supply > type(uint120).max) revert SupplyOverflow();
            unchecked {
                // as in mint: the balance stays inside its bits and the count cannot overflow.
                assembly ("memory-safe") {
                    sstore(slot, add(t, amount))
                }
                if (uint128(t) == 0 && amount != 0) cfg += 1 << HOLDER_COUNT_SHIFT;
                ++i;
            }
            emit Transfer(address(0), wallet, amount);
        }
        _totalSupply = supply;
        _config = cfg;
    }

    /// @notice Agent burn of a holder's free balance (redemption at maturity); frozen amounts must be released first.
    function redeemTokens(address holder, uint256 amount) external onlyRole(AGENT_ROLE) {
        _burnFree(holder, amount);
    }

    /// @notice Burn `amount` of the caller's free balance.
    function burn(uint256 amount) external {
        if (_config & PAUSED_FLAG != 0) revert EnforcedPause();
        if (_holders[msg.sender] & FROZEN_FLAG != 0) revert WalletFrozen(msg.sender);
        _burnFree(msg.sender, amount);
    }

    // ---------------------------------------------------------------- agent actions

    /// @notice Move `amount` of `from`'s free balance to a verified wallet, ignoring pause, freeze flags and rules.
    /// @dev Refuses (InsufficientFreeBalance) rather than consuming frozen amounts: an agent unfreezes
    ///      first, explicitly, so every release of frozen tokens is its own event.
    function agentTransfer(address from, address to, uint256 amount) external onlyRole(AGENT_ROLE) {
        if (!identityRegistry.isVerified(to)) revert RecipientNotVerified(to);
        uint256 f = _holders[from];
        uint256 free = _free(f);
        if (amount > free) revert InsufficientFreeBalance(from, free, amount);
        _move(from, to, amount, f, _holders[to], _config);
        emit ForcedTransfer(from, to, amount, msg.sender);
    }

    /// @notice Move a lost wallet's whole balance and frozen state to an empty, verified wallet of the
    ///         same investor (same country and classes in the registry).
    /// @dev Register the replacement before calling; revoke the lost wallet after. The holder count is unchanged.
    function walletRecovery(address lost, address replacement) external onlyRole(AGENT_ROLE) {
        (uint256 idLost, uint256 idNew) = _identities(lost, replacement);
        if (!_verified(idNew)) revert RecipientNotVerified(replacement);
        if (lost == replacement || uint24(idLost) != uint24(idNew)) revert NotSameInvestor(lost, replacement);
        if (_holders[replacement] != 0) revert ReplacementNotEmpty(replacement);
        uint256 l = _holders[lost];
        _holders[replacement] = l;
        delete _holders[lost];
        emit Transfer(lost, replacement, uint128(l));
        uint256 frozenAmount = _frozenAmount(l);
        if (frozenAmount != 0) {
            emit TokensUnfrozen(lost, frozenAmount);
            emit TokensFrozen(replacement, frozenAmount);
        }
        if (l & FROZEN_FLAG != 0) {
            emit AddressFrozen(lost, false, msg.sender);
            emit AddressFrozen(replacement, true, msg.sender);
        }
        emit RecoverySuccess(lost, replacement, msg.sender);
    }

    /// @notice Freeze or unfreeze a wallet as a whole (it can neither send, receive nor burn).
    function setAddressFrozen(address wallet, bool frozen) external onlyRole(AGENT_ROLE) {
        uint256 h = _holders[wallet];
        _holders[wallet] = frozen ? h | FROZEN_FLAG : h & ~FROZEN_FLAG;
        emit AddressFrozen(wallet, frozen, msg.sender);
    }

    /// @notice Freeze `amount` more of `wallet`'s balance; frozen amounts are never spendable.
    function partialFreeze(address wallet, uint256 amount) external onlyRole(AGENT_ROLE) {
        uint256 h = _holders[wallet];
        uint256 frozenAfter = _frozenAmount(h) + amount;
        if (frozenAfter > uint128(h)) revert FreezeExceedsBalance(wallet, uint128(h), frozenAfter);
        _holders[wallet] = _withFrozenAmount(h, frozenAfter);
        emit TokensFrozen(wallet, amount);
    }

    /// @notice Release `amount` of `wallet`'s frozen balance.
    function partialUnfreeze(address wallet, uint256 amount) external onlyRole(AGENT_ROLE) {
        uint256 h = _holders[wallet];
        uint256 frozenNow = _frozenAmount(h);
        if (amount > frozenNow) revert UnfreezeExceedsFrozen(wallet, frozenNow, amount);
        unchecked {
            _holders[wallet] = _withFrozenAmount(h, frozenNow - amount);
        }
        emit TokensUnfrozen(wallet, amount);
    }

    // ---------------------------------------------------------------- pause and rules

    /// @notice Stop transfers, mints and holder burns.
    function suspendTransfers() external onlyRole(PAUSER_ROLE) {
        uint256 cfg = _config;
        if (cfg & PAUSED_FLAG != 0) revert EnforcedPause();
        _config = cfg | PAUSED_FLAG;
        emit Paused(msg.sender);
    }

    /// @notice Resume transfers, mints and holder burns.
    function resumeTransfers() external onlyRole(PAUSER_ROLE) {
        uint256 cfg = _config;
        if (cfg & PAUSED_FLAG == 0) revert ExpectedPause();
        _config = cfg & ~PAUSED_FLAG;
        emit Unpaused(msg.sender);
    }

    /// @notice Set the rules: any-of investor class bits (0 = any), max holders (0 = unlimited),
    ///         max balance per holder (0 = unlimited, < 2**96), transfers refused before `lockupUntil`
    ///         (unix seconds, < 2**40).
    function setTransferRules(uint8 requiredClasses, uint32 maxHolders, uint256 maxBalance, uint64 lockupUntil)
        external
        onlyRole(COMPLIANCE_ROLE)
    {
        if (maxBalance > type(uint96).max || lockupUntil > type(uint40).max) revert RuleOutOfRange();
        uint256 kept = _config
            & (PAUSED_FLAG | uint256(type(uint32).max) << HOLDER_COUNT_SHIFT | type(uint256).max << COUNTRY_MODE_SHIFT);
        _config = kept | uint256(requiredClasses) << CLASSES_SHIFT | uint256(maxHolders) << MAX_HOLDERS_SHIFT
            | uint256(lockupUntil) << LOCKUP_SHIFT | maxBalance << MAX_BALANCE_SHIFT;
        emit RulesUpdated(requiredClasses, maxHolders, maxBalance, lockupUntil);
    }

    /// @notice Add countries (ISO 3166-1 numeric, 1..999) to (allowed = true) or remove them from the
    ///         allowed set; an empty set allows every country.
    function setAllowedCountries(uint16[] calldata countries, bool allowed) external onlyRole(COMPLIANCE_ROLE) {
        uint256 count = _allowedCountryCount;
        for (uint256 i; i < countries.length; ++i) {
            uint16 country = countries[i];
            if (country == 0 || country > MAX_COUNTRY) revert InvalidCountry(country);
            uint256 mask = 1 << (country & 255);
            uint256 bits = _countryBits[country >> 8];
            if ((bits & mask != 0) == allowed) continue;
            _countryBits[country >> 8] = bits ^ mask;
            if (allowed) ++count;
            else --count;
            emit CountryAllowed(country, allowed);
        }
        _allowedCountryCount = count;
        // Cache the set in the config word: inline when small (no extra read per transfer), else a flag.
        uint256 mode;
        uint256 list;
        if (count != 0 && count <= INLINE_COUNTRIES) {
            uint16[] memory all = _allowedCountryList(count);
            for (uint256 i; i < count; ++i) {
                list |= uint256(all[i]) << (10 * i);
            }
            mode = count;
        } else if (count != 0) {
            mode = COUNTRY_MODE_BITMAP;
        }
        uint256 cfg = _config & ~(type(uint256).max << COUNTRY_MODE_SHIFT);
        _config = cfg | mode << COUNTRY_MODE_SHIFT | list << COUNTRY_LIST_SHIFT;
    }

    // ---------------------------------------------------------------- views

    /// @notice The reason code a transfer of `amount` from `from` to `to` would get now (0 = OK).
    function canTransfer(address from, address to, uint256 amount) external view returns (uint8) {
        (uint256 idFrom, uint256 idTo) = _identities(from, to);
        return _transferCode(_config, from, to, _holders[from], _holders[to], idFrom, idTo, amount);
    }

    /// @notice The reason code a mint of `amount` to `to` would get now (0 = OK).
    function canMint(address to, uint256 amount) external view returns (uint8) {
        return _mintCode(_config, _holders[to], identityRegistry.packedIdentityOf(to), amount);
    }

    /// @notice Whether the token is paused.
    function isPaused() external view returns (bool) {
        return _config & PAUSED_FLAG != 0;
    }

    /// @notice The current rules (see setTransferRules).
    function transferRules()
        external
        view
        returns (uint8 requiredClasses, uint32 maxHolders, uint256 maxBalance, uint64 lockupUntil)
    {
        uint256 cfg = _config;
        return (
            uint8(cfg >> CLASSES_SHIFT),
            uint32(cfg >> MAX_HOLDERS_SHIFT),
            uint96(cfg >> MAX_BALANCE_SHIFT),
            uint40(cfg >> LOCKUP_SHIFT)
        );
    }

    /// @notice Number of wallets with a non-zero balance.
    function numHolders() external view returns (uint256) {
        return uint32(_config >> HOLDER_COUNT_SHIFT);
    }

    /// @notice The frozen part of `wallet`'s balance.
    function frozenTokens(address wallet) external view returns (uint256) {
        return _frozenAmount(_holders[wallet]);
    }

    /// @notice Whether `wallet` is frozen as a whole.
    function isFrozen(address wallet) external view returns (bool) {
        return _holders[wallet] & FROZEN_FLAG != 0;
    }

    /// @notice Balance minus frozen amount.
    function transferableBalanceOf(address wallet) external view returns (uint256) {
        return _free(_holders[wallet]);
    }

    /// @notice Whether `country` may receive (every country may while the allowed set is empty).
    function allowsCountry(uint16 country) external view returns (bool) {
        return _countryCode(_config, country) == OK;
    }

    /// @notice The allowed set, ascending (empty = all countries allowed).
    function allowedCountrySet() external view returns (uint16[] memory) {
        return _allowedCountryList(_allowedCountryCount);
    }

    // ---------------------------------------------------------------- internals

    function _compliantTransfer(address from, address to, uint256 amount) private {
        uint256 cfg = _config;
        uint256 fromSlot = _holderSlot(from);
        uint256 toSlot = _holderSlot(to);
        uint256 f;
        uint256 t;
        assembly ("memory-safe") {
            f := sload(fromSlot)
            t := sload(toSlot)
        }
        (uint256 idFrom, uint256 idTo) = _identities(from, to);
        if (_plainlyCompliant(cfg, from, to, f, t, idFrom, idTo, amount)) {
            // The fast path implies from != to and 0 < amount <= free balance of from: write both
            // holder words through the slots already computed; the count changes only as one side
            // joins or leaves (an existing holder's transfer never writes the config).
            unchecked {
                assembly ("memory-safe") {
                    sstore(fromSlot, sub(f, amount))
                    sstore(toSlot, add(t, amount))
                }
                bool leaves = uint128(f) == amount;
                bool joins = uint128(t) == 0;
                if (joins != leaves) _config = joins ? cfg + (1 << HOLDER_COUNT_SHIFT) : cfg - (1 << HOLDER_COUNT_SHIFT);
            }
            emit Transfer(from, to, amount);
            return;
        }
        uint8 code = _transferCode(cfg, from, to, f, t, idFrom, idTo, amount);
        if (code != OK) revert TransferNotCompliant(code);
        _move(from, to, amount, f, t, cfg);
    }

    /// @dev The storage slot of `account`'s holder word (`_holders[account]`).
    function _holderSlot(address account) private pure returns (uint256 slot) {
        assembly ("memory-safe") {
            mstore(0, account)
            mstore(32, _holders.slot)
            slot := keccak256(0, 64)
        }
    }

    /// @dev Branch-free fast path of `_transferCode`: true only when that would return OK. It may say
    ///      false for compliant transfers it does not cover (self-transfers, zero amounts), which
    ///      then take the detailed check. Tests prove canTransfer == OK exactly when a transfer succeeds.
    function _plainlyCompliant(
        uint256 cfg,
        address from,
        address to,
        uint256 f,
        uint256 t,
        uint256 idFrom,
        uint256 idTo,
        uint256 amount
    ) private view returns (bool ok) {
        uint256 countryBitsSlot;
        assembly ("memory-safe") {
            countryBitsSlot := _countryBits.slot
        }
        assembly ("memory-safe") {
            let u32 := 0xffffffff
            let u64 := 0xffffffffffffffff
            let u128 := 0xffffffffffffffffffffffffffffffff
            let ts := timestamp()
            let fBal := and(f, u128)
            let tBal := and(t, u128)
            // pause, both identities unexpired, neither wallet frozen, distinct wallets, non-zero amount
            let bad := or(and(cfg, 1), or(iszero(gt(and(shr(24, idFrom), u64), ts)), iszero(gt(and(shr(24, idTo), u64), ts))))
            bad := or(bad, or(shr(255, or(f, t)), or(eq(from, to), iszero(amount))))
            // free balance (frozen amount never exceeds balance) and lock-up
            bad := or(bad, gt(amount, sub(fBal, and(shr(128, f), 0xffffffffffffffffffffffffffffff))))
            bad := or(bad, lt(ts, and(shr(73, cfg), 0xffffffffff)))
            // any-of investor classes
            let required := and(shr(1, cfg), 0xff)
            bad := or(bad, and(iszero(iszero(required)), iszero(and(shr(16, idTo), required))))
            // max balance (amount <= free here, so the sum cannot wrap when it matters)
            let maxBalance := and(shr(113, cfg), 0xffffffffffffffffffffffff)
            bad := or(bad, and(iszero(iszero(maxBalance)), gt(add(tBal, amount), maxBalance)))
            // max holders: a new holder joins unless the sender leaves at the same time
            let maxHolders := and(shr(9, cfg), u32)
            let newHolder := and(iszero(tBal), iszero(eq(fBal, amount)))
            bad := or(bad, and(and(iszero(iszero(maxHolders)), newHolder), iszero(lt(and(shr(41, cfg), u32), maxHolders))))
            // allowed countries: inline list or the bitmap
            let mode := and(shr(209, cfg), 7)
            if mode {
                let country := and(idTo, 0xffff)
                // The inline list is four 10-bit lanes (bits 212..251; lanes past `mode` and bits 252..255
                // are zero, entries are 1..999). XOR with the country in every lane zeroes exactly the
                // matching lanes; (x - lows) & ~x & highs is non-zero iff some lane is zero. Country 0
                // (would match an empty lane) and countries over 1023 (would spill across lanes) never
                // count as found here.
                let x := xor(shr(212, cfg), mul(country, 0x40100401))
                let found := and(
                    and(iszero(iszero(country)), lt(country, 1024)),
                    iszero(iszero(and(and(sub(x, 0x40100401), not(x)), 0x8020080200)))
                )
                if eq(mode, 7) {
                    mstore(0, shr(8, country))
                    mstore(32, countryBitsSlot)
                    found := and(lt(country, 1000), and(shr(and(country, 255), sload(keccak256(0, 64))), 1))
                }
                bad := or(bad, iszero(found))
            }
            ok := iszero(bad)
        }
    }

    /// @dev Branch-free fast path of `_mintCode`: true only when that would return OK. It says false for
    ///      zero amounts and amounts of 2**120 or more, which then take the detailed check.
    function _plainlyMintable(uint256 cfg, uint256 t, uint256 idTo, uint256 amount) private view returns (bool ok) {
        uint256 countryBitsSlot;
        assembly ("memory-safe") {
            countryBitsSlot := _countryBits.slot
        }
        assembly ("memory-safe") {
            let u32 := 0xffffffff
            let tBal := and(t, 0xffffffffffffffffffffffffffffffff)
            // pause, recipient unexpired, not frozen, amount in 1 .. 2**120 - 1 (so tBal + amount cannot wrap)
            let bad := or(and(cfg, 1), iszero(gt(and(shr(24, idTo), 0xffffffffffffffff), timestamp())))
            bad := or(bad, or(shr(255, t), or(iszero(amount), shr(120, amount))))
            // any-of investor classes
            let required := and(shr(1, cfg), 0xff)
            bad := or(bad, and(iszero(iszero(required)), iszero(and(shr(16, idTo), required))))
            // max balance
            let maxBalance := and(shr(113, cfg), 0xffffffffffffffffffffffff)
            bad := or(bad, and(iszero(iszero(maxBalance)), gt(add(tBal, amount), maxBalance)))
            // max holders: a new holder joins
            let maxHolders := and(shr(9, cfg), u32)
            bad := or(bad, and(and(iszero(iszero(maxHolders)), iszero(tBal)), iszero(lt(and(shr(41, cfg), u32), maxHolders))))
            // allowed countries: inline list or the bitmap
            let mode := and(shr(209, cfg), 7)
            if mode {
                let country := and(idTo, 0xffff)
                // The inline list is four 10-bit lanes (bits 212..251; lanes past `mode` and bits 252..255
                // are zero, entries are 1..999). XOR with the country in every lane zeroes exactly the
                // matching lanes; (x - lows) & ~x & highs is non-zero iff some lane is zero. Country 0
                // (would match an empty lane) and countries over 1023 (would spill across lanes) never
                // count as found here.
                let x := xor(shr(212, cfg), mul(country, 0x40100401))
                let found := and(
                    and(iszero(iszero(country)), lt(country, 1024)),
                    iszero(iszero(and(and(sub(x, 0x40100401), not(x)), 0x8020080200)))
                )
                if eq(mode, 7) {
                    mstore(0, shr(8, country))
                    mstore(32, countryBitsSlot)
                    found := and(lt(country, 1000), and(shr(and(country, 255), sload(keccak256(0, 64))), 1))
                }
                bad := or(bad, iszero(found))
            }
            ok := iszero(bad)
        }
    }

    /// @dev Balances and holder count; callers have checked `amount <= free balance of from`.
    function _move(address from, address to, uint256 amount, uint256 f, uint256 t, uint256 cfg) private {
        if (from != to && amount != 0) {
            unchecked {
                // amount <= balance(from) and balance(to) + amount <= supply < 2**120: no carry or borrow
                // leaves the balance bits.
                _holders[from] = f - amount;
                _holders[to] = t + amount;
                bool leaves = uint128(f) == amount;
                bool joins = uint128(t) == 0;
                if (joins && !leaves) _config = cfg + (1 << HOLDER_COUNT_SHIFT);
                else if (leaves && !joins) _config = cfg - (1 << HOLDER_COUNT_SHIFT);
            }
        }
        emit Transfer(from, to, amount);
    }

    function _burnFree(address holder, uint256 amount) private {
        uint256 h = _holders[holder];
        uint256 free = _free(h);
        if (amount > free) revert InsufficientFreeBalance(holder, free, amount);
        unchecked {
            _holders[holder] = h - amount;
            _totalSupply -= amount;
            if (amount != 0 && uint128(h) == amount) _config -= 1 << HOLDER_COUNT_SHIFT;
        }
        emit Transfer(holder, address(0), amount);
    }

    function _transferCode(
        uint256 cfg,
        address from,
        address to,
        uint256 f,
        uint256 t,
        uint256 idFrom,
        uint256 idTo,
        uint256 amount
    ) private view returns (uint8) {
        if (cfg & PAUSED_FLAG != 0) return PAUSED;
        if (!_verified(idFrom)) return SENDER_NOT_VERIFIED;
        if (!_verified(idTo)) return RECIPIENT_NOT_VERIFIED;
        if (f & FROZEN_FLAG != 0) return SENDER_FROZEN;
        if (t & FROZEN_FLAG != 0) return RECIPIENT_FROZEN;
        if (amount > _free(f)) return INSUFFICIENT_FREE_BALANCE;
        if (block.timestamp < uint40(cfg >> LOCKUP_SHIFT)) return LOCKED_UP;
        if (from == to) return _recipientCode(cfg, idTo, uint128(t), 0, false);
        return _recipientCode(cfg, idTo, uint128(t), amount, amount != 0 && uint128(f) == amount);
    }

    function _mintCode(uint256 cfg, uint256 t, uint256 idTo, uint256 amount) private view returns (uint8) {
        if (cfg & PAUSED_FLAG != 0) return PAUSED;
        if (!_verified(idTo)) return RECIPIENT_NOT_VERIFIED;
        if (t & FROZEN_FLAG != 0) return RECIPIENT_FROZEN;
        return _recipientCode(cfg, idTo, uint128(t), amount, false);
    }

    /// @dev The token's rules about who may receive and hold.
    function _recipientCode(uint256 cfg, uint256 idTo, uint256 balance, uint256 amount, bool senderLeaves)
        private
        view
        returns (uint8)
    {
        uint8 code = _countryCode(cfg, uint16(idTo));
        if (code != OK) return code;
        uint256 required = uint8(cfg >> CLASSES_SHIFT);
        if (required != 0 && (idTo >> 16) & required == 0) return INVESTOR_CLASS_REQUIRED;
        // The cap refuses only a net new holder: a sender leaving as the recipient joins keeps the count.
        uint256 maxHolders = uint32(cfg >> MAX_HOLDERS_SHIFT);
        if (maxHolders != 0 && balance == 0 && amount != 0 && !senderLeaves) {
            if (uint32(cfg >> HOLDER_COUNT_SHIFT) >= maxHolders) return MAX_HOLDERS;
        }
        uint256 maxBalance = uint96(cfg >> MAX_BALANCE_SHIFT);
        if (maxBalance != 0 && (balance > maxBalance || amount > maxBalance - balance)) return MAX_BALANCE;
        return OK;
    }

    function _countryCode(uint256 cfg, uint256 country) private view returns (uint8) {
        uint256 mode = (cfg >> COUNTRY_MODE_SHIFT) & 7;
        if (mode == 0) return OK;
        if (mode == COUNTRY_MODE_BITMAP) {
            if (country <= MAX_COUNTRY && _countryBits[country >> 8] & (1 << (country & 255)) != 0) return OK;
            return COUNTRY_NOT_ALLOWED;
        }
        uint256 list = cfg >> COUNTRY_LIST_SHIFT;
        for (uint256 i; i < mode; ++i) {
            if (list & 1023 == country) return OK;
            list >>= 10;
        }
        return COUNTRY_NOT_ALLOWED;
    }

    /// @dev The allowed countries ascending, `count` of them (the set is within 1..999: four bitmap words).
    function _allowedCountryList(uint256 count) private view returns (uint16[] memory countries) {
        countries = new uint16[](count);
        uint256 n;
        for (uint256 word; word <= MAX_COUNTRY >> 8 && n < count; ++word) {
            uint256 bits = _countryBits[word];
            for (uint256 bit; bits != 0; ++bit) {
                if (bits & 1 != 0) countries[n++] = uint16((word << 8) | bit);
                bits >>= 1;
            }
        }
    }

    /// @dev The packed identities of `wallets` from one registry call, copied to fresh memory; returns the
    ///      memory address of the first (the i-th is at + 32 * i). Reverts unless the answer has exactly
    ///      one word per wallet.
    function _packedIdentities(address[] calldata wallets) private view returns (uint256 ids) {
        address registry = address(identityRegistry);
        bytes4 selector = IIdentityRegistry.packedIdentities.selector;
        assembly ("memory-safe") {
            let n := wallets.length
            let m := mload(0x40)
            mstore(m, selector)
            mstore(add(m, 4), 0x20)
            mstore(add(m, 36), n)
            calldatacopy(add(m, 68), wallets.offset, shl(5, n))
            if iszero(staticcall(gas(), registry, m, add(68, shl(5, n)), 0, 0)) {
                returndatacopy(m, 0, returndatasize())
                revert(m, returndatasize())
            }
            if iszero(eq(returndatasize(), add(64, shl(5, n)))) { revert(0, 0) }
            returndatacopy(m, 0, 64)
            if iszero(and(eq(mload(m), 0x20), eq(mload(add(m, 32)), n))) { revert(0, 0) }
            ids := m
            returndatacopy(ids, 64, shl(5, n))
            mstore(0x40, add(ids, shl(5, n)))
        }
    }

    /// @dev Both packed identities from one registry call (see IIdentityRegistry).
    function _identities(address a, address b) private view returns (uint256 idA, uint256 idB) {
        address registry = address(identityRegistry);
        bytes4 selector = IIdentityRegistry.identitiesOfTransfer.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, selector)
            mstore(add(m, 4), a)
            mstore(add(m, 36), b)
            if iszero(staticcall(gas(), registry, m, 68, 0, 64)) {
                returndatacopy(m, 0, returndatasize())
                revert(m, returndatasize())
            }
            if lt(returndatasize(), 64) { revert(0, 0) }
            idA := mload(0)
            idB := mload(32)
        }
    }

    function _frozenAmount(uint256 h) private pure returns (uint256) {
        return uint120(h >> FROZEN_AMOUNT_SHIFT);
    }

    function _withFrozenAmount(uint256 h, uint256 frozenAmount) private pure returns (uint256) {
        return (h & (FROZEN_FLAG | type(uint128).max)) | frozenAmount << FROZEN_AMOUNT_SHIFT;
    }

    /// @dev Balance minus frozen amount (frozen never exceeds balance).
    function _free(uint256 h) private pure returns (uint256) {
        unchecked {
            return uint128(h) - _frozenAmount(h);
        }
    }

    /// @dev Registered and not expired: expiry (bits 24..87) is 0 for unregistered wallets.
    function _verified(uint256 packedIdentity) private view returns (bool) {
        return uint64(packedIdentity >> 24) > block.timestamp;
    }
}
