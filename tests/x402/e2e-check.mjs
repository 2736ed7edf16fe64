// Checks one e2e.sh run and prints its figures; exits 1 on any difference.
import fs from "node:fs";
import path from "node:path";
import { arg } from "./lib.mjs";

const client = JSON.parse(fs.readFileSync(arg("client"), "utf8"));
const calls = Number(arg("calls"));
const amount = BigInt(arg("amount")); // atomic units per call (6 decimals: equal to the price in micro-USD)
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };

// The reference client: every call 402 then 200, each with a successful receipt.
const results = client.results;
check(results.length === calls, `client made ${results.length} calls, expected ${calls}`);
for (const [i, r] of results.entries()) {
  check(r.status === 200, `call ${i}: status ${r.status} ${r.error ?? r.body ?? ""}`);
  check(JSON.stringify(r.exchanges) === "[402,200]", `call ${i}: exchanges ${JSON.stringify(r.exchanges)}, expected [402,200]`);
  check(r.paymentResponse?.success === true && /^0x[0-9a-f]{64}$/.test(r.paymentResponse?.transaction ?? ""), `call ${i}: receipt ${JSON.stringify(r.paymentResponse)}`);
  check((r.exposeHeaders ?? "").includes("PAYMENT-RESPONSE"), `call ${i}: PAYMENT-RESPONSE not exposed to browsers`);
  const echo = JSON.parse(r.body || "{}");
  check(echo.signatureValid === true, `call ${i}: the origin did not see a valid edge signature`);
  check(echo.customer === `x402:${String(r.paymentResponse?.payer).toLowerCase()}`, `call ${i}: origin saw customer ${echo.customer}`);
}

// The chain: exactly K x price moved from the payer to pay-to.
const paid = BigInt(client.before.payer) - BigInt(client.after.payer);
const received = BigInt(client.after.payTo) - BigInt(client.before.payTo);
check(paid === amount * BigInt(calls), `payer paid ${paid}, expected ${amount * BigInt(calls)}`);
check(received === amount * BigInt(calls), `payTo received ${received}, expected ${amount * BigInt(calls)}`);

// The edge's decision log: exactly K allowed paid calls reached the origin, each with its settlement
// transaction; the replay is a denial; no payment header is in the log.
const readLog = dir => fs.readdirSync(dir).filter(f => f.endsWith(".ndjson")).flatMap(f => fs.readFileSync(path.join(dir, f), "utf8").split("\n").filter(Boolean));
const dir = arg("decisions");
const lines = fs.readdirSync(dir).filter(f => f.endsWith(".ndjson")).flatMap(f => fs.readFileSync(path.join(dir, f), "utf8").split("\n").filter(Boolean));
const records = lines.map(l => JSON.parse(l));
const forwarded = records.filter(r => r.originStatus !== undefined);
const allowed = records.filter(r => r.decision === "allow");
check(forwarded.length === calls, `${forwarded.length} calls reached the origin, expected ${calls}`);
check(allowed.length === calls, `${allowed.length} allowed decisions, expected ${calls}`);
const logged = new Set(allowed.map(r => r.x402Transaction));
for (const r of results) check(logged.has(r.paymentResponse?.transaction), `transaction ${r.paymentResponse?.transaction} is not in the decision log`);
check(records.some(r => r.reason === "payment-replayed"), "the replay is not in the decision log as payment-replayed");
const rawLog = lines.join("\n");
for (const r of results) check(r.paymentHeader && !rawLog.includes(r.paymentHeader.slice(0, 64)), "a payment header is in the decision log");

// The replay: 402, payment-replayed, never forwarded (counted above).
const replayStatus = Number(arg("replay-status"));
const replay = JSON.parse(fs.readFileSync(arg("replay-body"), "utf8"));
check(replayStatus === 402 && replay.reason === "payment-replayed", `replay: ${replayStatus} ${replay.reason}`);

// The replay at an edge that never saw the payment: the facilitator (the chain's nonce) refuses it.
const restartStatus = Number(arg("restart-status"));
const restarted = JSON.parse(fs.readFileSync(arg("restart-body"), "utf8"));
check(restartStatus === 402 && restarted.reason === "payment-replayed", `replay at a fresh edge: ${restartStatus} ${restarted.reason} ${restarted.detail ?? ""}`);
const restartedRecords = readLog(arg("decisions-restarted")).map(l => JSON.parse(l));
check(restartedRecords.length === 1 && restartedRecords[0].originStatus === undefined, "the replay at a fresh edge reached the origin or was not logged");

// The unpaid call: 402 with the PAYMENT-REQUIRED the reference client accepted and paid.
const unpaidStatus = Number(arg("unpaid-status"));
const headerLine = fs.readFileSync(arg("unpaid-headers"), "utf8").split(/\r?\n/).find(l => /^payment-required:/i.test(l));
const offered = headerLine ? JSON.parse(Buffer.from(headerLine.split(":")[1].trim(), "base64").toString("utf8")) : null;
check(unpaidStatus === 402 && offered !== null, `unpaid: ${unpaidStatus}, PAYMENT-REQUIRED ${headerLine ? "present" : "missing"}`);
check(JSON.stringify(offered?.accepts) === JSON.stringify(client.paymentRequired?.accepts), "the unpaid 402's accepts differ from the offer the client paid");
check(client.paymentRequired?.accepts?.[0]?.amount === amount.toString(), `offer amount ${client.paymentRequired?.accepts?.[0]?.amount}, expected ${amount}`);

console.log(`x402 e2e: calls paid ${calls}, reached the origin ${forwarded.length}, price ${amount} atomic units ($${Number(amount) / 1e6}) each`);
console.log(`x402 e2e: payer -${paid}, payTo +${received} (expected ${amount * BigInt(calls)} each); replay -> ${replayStatus} ${replay.reason}, at a fresh edge -> ${restartStatus} ${restarted.reason}; unpaid -> ${unpaidStatus} with PAYMENT-REQUIRED`);
console.log(`x402 e2e: ${(Number(arg("paying-ms")) / 1000).toFixed(2)} s for the ${calls} paid calls (402 + verify + settle + forward each), ${arg("total-seconds")} s in all`);
if (failures.length > 0) {
  for (const f of failures) console.error("x402 e2e: FAILED: " + f);
  process.exit(1);
}
console.log("x402 e2e: ok");
