// Prepares a fresh anvil chain for x402: deploys the EIP-3009 test token, places a tryAggregate
// Multicall at the canonical Multicall3 address, mints to a fresh payer, and writes the state
// file every other script reads.
// Usage: node chain.mjs --rpc http://127.0.0.1:8545 --out state.json [--mint 1000000000]
import fs from "node:fs";
import path from "node:path";
import { createPublicClient, createWalletClient, http, defineChain } from "viem";
import { generatePrivateKey, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { arg, ANVIL_MNEMONIC, MULTICALL3_ADDRESS } from "./lib.mjs";

const rpc = arg("rpc", "http://127.0.0.1:8545");
const out = arg("out", "state.json");
const mint = BigInt(arg("mint", "1000000000")); // 1000 tokens of 6 decimals
const here = path.dirname(new URL(import.meta.url).pathname);
const contracts = JSON.parse(fs.readFileSync(path.join(here, ".build", "contracts.json"), "utf8"));

const transport = http(rpc);
const publicClient = createPublicClient({ transport });
const chainId = await publicClient.getChainId();
const chain = defineChain({ id: chainId, name: "anvil", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [rpc] } } });
// Anvil's account 0 deploys and, in the facilitator, pays the gas of every settlement.
const deployer = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 0 });
const wallet = createWalletClient({ account: deployer, chain, transport });

const tokenName = arg("token-name", "EdgeFence Test USD");
const tokenVersion = arg("token-version", "2");
const deployHash = await wallet.deployContract({ abi: contracts.TestToken.abi, bytecode: contracts.TestToken.bytecode, args: [tokenName, tokenVersion] });
const token = (await publicClient.waitForTransactionReceipt({ hash: deployHash })).contractAddress;

await publicClient.request({ method: "anvil_setCode", params: [MULTICALL3_ADDRESS, contracts.Multicall.deployedBytecode] });

// A fresh payer and pay-to per run: nothing a previous run signed can be valid here.
const payerKey = generatePrivateKey();
const payer = privateKeyToAccount(payerKey).address;
const payTo = privateKeyToAccount(generatePrivateKey()).address;
const mintHash = await wallet.writeContract({ address: token, abi: contracts.TestToken.abi, functionName: "mint", args: [payer, mint] });
await publicClient.waitForTransactionReceipt({ hash: mintHash });

const state = {
  rpc, chainId, network: `eip155:${chainId}`, token, tokenName, tokenVersion, decimals: 6,
  payer, payerKey, payTo, facilitatorAddress: deployer.address, minted: mint.toString(),
};
fs.writeFileSync(out, JSON.stringify(state, null, 2));
console.log(JSON.stringify({ token, payer, payTo, network: state.network }));
