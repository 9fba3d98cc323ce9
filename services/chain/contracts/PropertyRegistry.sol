// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.37;

/// @title Osool property registry
/// @notice Listings of properties: the hash of their documents, their price and their sale state
///         (Available -> Reserved -> Sold, or back to Available when a reservation is cancelled).
/// @dev Storage is packed into three slots per listing so that a reservation or a sale touches one slot:
///        slot 0: owner (address, 160 bits) | price (uint96)
///        slot 1: reservedBy (address, 160) | status (uint8) | listedAt (uint40) | updatedAt (uint40)
///        slot 2: documentHash (bytes32)
///      `listedAt != 0` is what "this listing exists" means, so every state change reads slot 1 only.
///      Roles are two bits per account rather than OpenZeppelin AccessControl: one storage read per check
///      and a smaller contract. The admin is the deployer and is fixed for the life of the contract.
contract PropertyRegistry {
    enum Status {
        Available,
        Reserved,
        Sold
    }

    struct Listing {
        // slot 0
        address owner;
        uint96 price;
        // slot 1
        address reservedBy;
        Status status;
        uint40 listedAt;
        uint40 updatedAt;
        // slot 2
        bytes32 documentHash;
    }

    /// Same identifiers as OpenZeppelin's AccessControl so that its tooling and indexers understand them.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    bytes32 public constant AGENT_ROLE = keccak256("AGENT_ROLE");

    uint256 private constant _REGISTRAR_BIT = 1;
    uint256 private constant _AGENT_BIT = 2;

    address public immutable admin;

    mapping(address account => uint256 roleBits) private _roles;
    mapping(uint256 listingId => Listing) private _listings;

    error NotAuthorized(address account);
    error UnknownRole(bytes32 role);
    error UnknownListing(uint256 listingId);
    error AlreadyListed(uint256 listingId);
    error AlreadyReserved(uint256 listingId);
    error WrongState(uint256 listingId, Status status);
    error PriceOutOfRange(uint256 price);
    error EmptyDocumentHash(uint256 listingId);
    error ZeroBuyer(uint256 listingId);

    event Listed(uint256 indexed listingId, address indexed owner, bytes32 documentHash, uint256 price);
    event DocumentUpdated(uint256 indexed listingId, bytes32 documentHash);
    event PriceUpdated(uint256 indexed listingId, uint256 price);
    event Reserved(uint256 indexed listingId, address indexed buyer);
    event ReservationCancelled(uint256 indexed listingId, address indexed buyer);
    event Sold(uint256 indexed listingId, address indexed buyer);
    event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender);
    event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender);

    modifier onlyRole(uint256 bit) {
        if (_roles[msg.sender] & bit == 0) revert NotAuthorized(msg.sender);
        _;
    }

    constructor() {
        admin = msg.sender;
    }

    // ---- roles ----

    function grantRole(bytes32 role, address account) external {
        if (msg.sender != admin) revert NotAuthorized(msg.sender);
        uint256 bit = _roleBit(role);
        uint256 bits = _roles[account];
        if (bits & bit == 0) {
            _roles[account] = bits | bit;
            emit RoleGranted(role, account, msg.sender);
        }
    }

    function revokeRole(bytes32 role, address account) external {
        if (msg.sender != admin) revert NotAuthorized(msg.sender);
        uint256 bit = _roleBit(role);
        uint256 bits = _roles[account];
        if (bits & bit != 0) {
            _roles[account] = bits & ~bit;
            emit RoleRevoked(role, account, msg.sender);
        }
    }

    function hasRole(bytes32 role, address account) external view returns (bool) {
        return _roles[account] & _roleBit(role) != 0;
    }

    // ---- listings: registrar ----

    function list(uint256 listingId, bytes32 documentHash, uint256 price) external onlyRole(_REGISTRAR_BIT) {
        Listing storage listing = _listings[listingId];
        if (listing.listedAt != 0) revert AlreadyListed(listingId);
        if (documentHash == bytes32(0)) revert EmptyDocumentHash(listingId);
        _checkPrice(price);
        uint40 now_ = uint40(block.timestamp);
        listing.owner = msg.sender;
        listing.price = uint96(price);
        listing.status = Status.Available;
        listing.listedAt = now_;
        listing.updatedAt = now_;
        listing.documentHash = documentHash;
        emit Listed(listingId, msg.sender, documentHash, price);
    }

    /// Documents and price are frozen once a buyer has reserved: the buyer reserved what was registered.
    function updateDocument(uint256 listingId, bytes32 documentHash) external onlyRole(_REGISTRAR_BIT) {
        Listing storage listing = _existing(listingId);
        if (listing.status != Status.Available) revert WrongState(listingId, listing.status);
        if (documentHash == bytes32(0)) revert EmptyDocumentHash(listingId);
        listing.documentHash = documentHash;
        listing.updatedAt = uint40(block.timestamp);
        emit DocumentUpdated(listingId, documentHash);
    }

    function updatePrice(uint256 listingId, uint256 price) external onlyRole(_REGISTRAR_BIT) {
        Listing storage listing = _existing(listingId);
        if (listing.status != Status.Available) revert WrongState(listingId, listing.status);
        _checkPrice(price);
        listing.price = uint96(price);
        listing.updatedAt = uint40(block.timestamp);
        emit PriceUpdated(listingId, price);
    }

    /// A sale completes a reservation: the reserving buyer is the one recorded as having bought.
    function markSold(uint256 listingId) external onlyRole(_REGISTRAR_BIT) {
        Listing storage listing = _existing(listingId);
        if (listing.status != Status.Reserved) revert WrongState(listingId, listing.status);
        listing.status = Status.Sold;
        listing.updatedAt = uint40(block.timestamp);
        emit Sold(listingId, listing.reservedBy);
    }

    // ---- listings: agent ----

    function reserve(uint256 listingId, address buyer) external onlyRole(_AGENT_BIT) {
        Listing storage listing = _existing(listingId);
        Status status = listing.status;
        if (status == Status.Reserved) revert AlreadyReserved(listingId);
        if (status != Status.Available) revert WrongState(listingId, status);
        if (buyer == address(0)) revert ZeroBuyer(listingId);
        listing.reservedBy = buyer;
        listing.status = Status.Reserved;
        listing.updatedAt = uint40(block.timestamp);
        emit Reserved(listingId, buyer);
    }

    function cancelReservation(uint256 listingId) external onlyRole(_AGENT_BIT) {
        Listing storage listing = _existing(listingId);
        if (listing.status != Status.Reserved) revert WrongState(listingId, listing.status);
        address buyer = listing.reservedBy;
        listing.reservedBy = address(0);
        listing.status = Status.Available;
        listing.updatedAt = uint40(block.timestamp);
        emit ReservationCancelled(listingId, buyer);
    }

    // ---- reads ----

    function verifyDocument(uint256 listingId, bytes32 documentHash) external view returns (bool) {
        return _existing(listingId).documentHash == documentHash;
    }

    function getListing(uint256 listingId) external view returns (Listing memory) {
        return _existing(listingId);
    }

    function statusOf(uint256 listingId) external view returns (Status) {
        return _existing(listingId).status;
    }

    function ownerOf(uint256 listingId) external view returns (address) {
        return _existing(listingId).owner;
    }

    function reservedBy(uint256 listingId) external view returns (address) {
        return _existing(listingId).reservedBy;
    }

    function priceOf(uint256 listingId) external view returns (uint256) {
        return _existing(listingId).price;
    }

    function documentHashOf(uint256 listingId) external view returns (bytes32) {
        return _existing(listingId).documentHash;
    }

    function listedAt(uint256 listingId) external view returns (uint256) {
        return _existing(listingId).listedAt;
    }

    function updatedAt(uint256 listingId) external view returns (uint256) {
        return _existing(listingId).updatedAt;
    }

    // ---- internals ----

    function _existing(uint256 listingId) private view returns (Listing storage listing) {
        listing = _listings[listingId];
        if (listing.listedAt == 0) revert UnknownListing(listingId);
    }

    function _checkPrice(uint256 price) private pure {
        if (price == 0 || price > type(uint96).max) revert PriceOutOfRange(price);
    }

    function _roleBit(bytes32 role) private pure returns (uint256) {
        if (role == REGISTRAR_ROLE) return _REGISTRAR_BIT;
        if (role == AGENT_ROLE) return _AGENT_BIT;
        revert UnknownRole(role);
    }
}
