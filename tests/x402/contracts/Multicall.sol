// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title The tryAggregate subset of Multicall3
/// @notice The x402 EVM facilitator diagnoses a failed transfer simulation with one
/// `tryAggregate` call to the canonical Multicall3 address; a fresh anvil has no contract there,
/// so the chain script places this one's runtime code at that address with anvil_setCode.
contract Multicall {
    struct Call {
        address target;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    function tryAggregate(bool requireSuccess, Call[] calldata calls) external payable returns (Result[] memory returnData) {
        returnData = new Result[](calls.length);
        for (uint256 i = 0; i < calls.length; i++) {
            (bool success, bytes memory ret) = calls[i].target.call(calls[i].callData);
            if (requireSuccess) require(success, "Multicall: call failed");
            returnData[i] = Result(success, ret);
        }
    }
}
