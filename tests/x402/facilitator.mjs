// The reference x402 facilitator over HTTP: x402Facilitator + ExactEvmScheme from the @x402
// packages, pointed at the local chain, behind a small express app serving the facilitator API
// (POST /verify, POST /settle, GET /supported).
// Usage: node facilitator.mjs --state state.json --port 4021
import express from "express";
import { createWalletClient, http, publicActions, defineChain, nonceManager } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { x402Facilitator } from "@x402/core/facilitator";
import { ExactEvmScheme } from "@x402/evm/exact/facilitator";
import { toFacilitatorEvmSigner } from "@x402/evm";
import { arg, readState, ANVIL_MNEMONIC } from "./lib.mjs";

const state = readState(arg("state", "state.json"));
const port = Number(arg("port", "4021"));
const chain = defineChain({ id: state.chainId, name: "anvil", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [state.rpc] } } });
// nonceManager: settlements run concurrently, each needs its own transaction nonce.
const account = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 0, nonceManager });
const client = createWalletClient({ account, chain, transport: http(state.rpc) }).extend(publicActions);
const signer = toFacilitatorEvmSigner({
  address: account.address,
  readContract: a => client.readContract(a),
  verifyTypedData: a => client.verifyTypedData(a),
  writeContract: a => client.writeContract(a),
  sendTransaction: a => client.sendTransaction(a),
  waitForTransactionReceipt: a => client.waitForTransactionReceipt(a),
  getCode: a => client.getCode(a),
});
const facilitator = new x402Facilitator().register(state.network, new ExactEvmScheme(signer));

const counts = { verify: 0, settle: 0, settled: 0 };
const app = express();
app.use(express.json({ limit: "64kb" }));
app.get("/supported", (_req, res) => res.json(facilitator.getSupported()));
app.get("/counts", (_req, res) => res.json(counts));
app.post("/verify", async (req, res) => {
  counts.verify++;
  try {
    const { paymentPayload, paymentRequirements } = req.body ?? {};
    res.json(await facilitator.verify(paymentPayload, paymentRequirements));
  } catch (e) {
    res.status(400).json({ isValid: false, invalidReason: "invalid_request", invalidMessage: String(e?.message ?? e) });
  }
});
app.post("/settle", async (req, res) => {
  counts.settle++;
  try {
    const { paymentPayload, paymentRequirements } = req.body ?? {};
    const result = await facilitator.settle(paymentPayload, paymentRequirements);
    if (result.success) counts.settled++;
    res.json(result);
  } catch (e) {
    res.status(400).json({ success: false, errorReason: "invalid_request", errorMessage: String(e?.message ?? e), transaction: "", network: state.network });
  }
});
app.listen(port, "127.0.0.1", () => console.error(`facilitator on http://127.0.0.1:${port} for ${state.network}`));
