// The reference x402 client: @x402/fetch paying N calls to a URL with the payer of state.json.
// Prints one JSON object: per call the status, the decoded PAYMENT-RESPONSE, the raw payment header
// it sent (so a test can replay it), plus the first PAYMENT-REQUIRED it was offered and the chain
// balances before and after.
// Usage: node client.mjs --state state.json --url http://127.0.0.1:8080/x --calls 3
import { wrapFetchWithPayment, decodePaymentResponseHeader, x402Client } from "@x402/fetch";
import { ExactEvmScheme } from "@x402/evm";
import { privateKeyToAccount } from "viem/accounts";
import { arg, readState, balances } from "./lib.mjs";

const state = readState(arg("state", "state.json"));
const url = arg("url");
const calls = Number(arg("calls", "1"));
const maxAmount = arg("max-amount", "1000000");

const account = privateKeyToAccount(state.payerKey);
const client = new x402Client()
  .register(state.network, new ExactEvmScheme(account))
  // The local token is no default asset of the reference client: allow it explicitly, capped.
  .setSpendControls({ allowedAssets: [{ network: state.network, asset: state.token, maxAmountPerPayment: maxAmount }] });

// The inner fetch records what went over the wire for each call.
let sent = [];
const recordingFetch = async (input, init) => {
  const request = new Request(input, init);
  const paymentHeader = request.headers.get("payment-signature") ?? request.headers.get("x-payment");
  const response = await fetch(request);
  sent.push({ status: response.status, paymentHeader, paymentRequired: response.headers.get("payment-required") });
  return response;
};
const pay = wrapFetchWithPayment(recordingFetch, client);

const before = await balances(state);
const results = [];
const started = performance.now();
for (let i = 0; i < calls; i++) {
  sent = [];
  let result;
  try {
    const response = await pay(url, { method: "GET" });
    const header = response.headers.get("payment-response") ?? response.headers.get("x-payment-response");
    const body = await response.text();
    result = {
      status: response.status,
      paymentResponse: header ? decodePaymentResponseHeader(header) : null,
      exposeHeaders: response.headers.get("access-control-expose-headers"),
      body: body.slice(0, 2000),
    };
  } catch (e) {
    result = { status: 0, error: String(e?.message ?? e) };
  }
  result.exchanges = sent.map(s => s.status);
  result.paymentHeader = sent.map(s => s.paymentHeader).find(h => h) ?? null;
  result.paymentRequired = sent.map(s => s.paymentRequired).find(h => h) ?? null;
  results.push(result);
}
const seconds = (performance.now() - started) / 1000;
const after = await balances(state);
const offered = results.find(r => r.paymentRequired)?.paymentRequired;
console.log(JSON.stringify({
  url, calls, seconds: Number(seconds.toFixed(3)), before, after,
  paymentRequired: offered ? JSON.parse(Buffer.from(offered, "base64").toString("utf8")) : null,
  results,
}, null, 2));
