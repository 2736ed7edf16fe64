// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title EdgeFence x402 test token
/// @notice A minimal 6-decimal ERC-20 with EIP-3009 transferWithAuthorization, written for the
/// offline x402 end-to-end test only. The exact EVM scheme of x402 pays by asking the facilitator to
/// submit a payer-signed EIP-712 authorization; this contract checks that signature and its nonce.
/// Not for production: no pausing, no blacklists, anyone may mint.
contract TestToken {
    string public name;
    string public version;
    uint8 public constant decimals = 6;
    uint256 public totalSupply;

    mapping(address => uint256) public balanceOf;
    // EIP-3009: an authorization nonce is used once per authorizer, whatever its order.
    mapping(address => mapping(bytes32 => bool)) private usedAuthorizations;

    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 public constant TRANSFER_WITH_AUTHORIZATION_TYPEHASH = keccak256(
        "TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)"
    );

    event Transfer(address indexed from, address indexed to, uint256 value);
    event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce);

    constructor(string memory name_, string memory version_) {
        name = name_;
        version = version_;
    }

    function DOMAIN_SEPARATOR() public view returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256(bytes(name)), keccak256(bytes(version)), block.chainid, address(this))
        );
    }

    function mint(address to, uint256 value) external {
        totalSupply += value;
        balanceOf[to] += value;
        emit Transfer(address(0), to, value);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function authorizationState(address authorizer, bytes32 nonce) external view returns (bool) {
        return usedAuthorizations[authorizer][nonce];
    }

    /// @notice EIP-3009 with the signature split into v, r, s (the USDC v2 form).
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external {
        _checkWindowAndNonce(from, validAfter, validBefore, nonce);
        require(_recover(_digest(from, to, value, validAfter, validBefore, nonce), v, r, s) == from, "invalid signature");
        _useAuthorization(from, to, value, nonce);
    }

    /// @notice EIP-3009 with the signature as bytes (the USDC v2.2 form); 65-byte ECDSA only.
    function transferWithAuthorization(
        address from,
        address to,
        uint256 value,
        uint256 validAfter,
        uint256 validBefore,
        bytes32 nonce,
        bytes memory signature
    ) external {
        _checkWindowAndNonce(from, validAfter, validBefore, nonce);
        require(signature.length == 65, "invalid signature length");
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(signature, 0x20))
            s := mload(add(signature, 0x40))
            v := byte(0, mload(add(signature, 0x60)))
        }
        require(_recover(_digest(from, to, value, validAfter, validBefore, nonce), v, r, s) == from, "invalid signature");
        _useAuthorization(from, to, value, nonce);
    }

    function _checkWindowAndNonce(address from, uint256 validAfter, uint256 validBefore, bytes32 nonce) private view {
        require(block.timestamp > validAfter, "authorization is not yet valid");
        require(block.timestamp < validBefore, "authorization is expired");
        require(!usedAuthorizations[from][nonce], "authorization is used");
    }

    function _useAuthorization(address from, address to, uint256 value, bytes32 nonce) private {
        usedAuthorizations[from][nonce] = true;
        emit AuthorizationUsed(from, nonce);
        _transfer(from, to, value);
    }

    function _digest(address from, address to, uint256 value, uint256 validAfter, uint256 validBefore, bytes32 nonce)
        private
        view
        returns (bytes32)
    {
        bytes32 structHash =
            keccak256(abi.encode(TRANSFER_WITH_AUTHORIZATION_TYPEHASH, from, to, value, validAfter, validBefore, nonce));
        return keccak256(abi.encodePacked("\x19\x01", DOMAIN_SEPARATOR(), structHash));
    }

    function _recover(bytes32 digest, uint8 v, bytes32 r, bytes32 s) private pure returns (address) {
        // Malleable signatures (high s) are refused, as in OpenZeppelin's ECDSA and USDC.
        require(uint256(s) <= 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0, "invalid signature s");
        if (v < 27) v += 27;
        require(v == 27 || v == 28, "invalid signature v");
        address signer = ecrecover(digest, v, r, s);
        require(signer != address(0), "invalid signature");
        return signer;
    }

    function _transfer(address from, address to, uint256 value) private {
        require(to != address(0), "transfer to the zero address");
        require(balanceOf[from] >= value, "transfer amount exceeds balance");
        unchecked {
            balanceOf[from] -= value;
        }
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
