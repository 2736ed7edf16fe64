// Shared bits of the harness scripts.
import fs from "node:fs";
import { createPublicClient, http } from "viem";

/** The default anvil mnemonic; its accounts are funded with ETH on a fresh chain. */
export const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";
export const MULTICALL3_ADDRESS = "0xcA11bde05977b3631167028862bE2a173976CA11";

/** Reads --name value from the command line. */
export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  if (fallback === undefined) { console.error(`missing --${name}`); process.exit(2); }
  return fallback;
}

export function flag(name) {
  return process.argv.includes(`--${name}`);
}

export function readState(file) {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

const balanceOfAbi = [{ type: "function", name: "balanceOf", stateMutability: "view", inputs: [{ name: "a", type: "address" }], outputs: [{ type: "uint256" }] }];

/** Token balances of the payer and the pay-to address, as decimal strings. */
export async function balances(state) {
  const client = createPublicClient({ transport: http(state.rpc) });
  const read = a => client.readContract({ address: state.token, abi: balanceOfAbi, functionName: "balanceOf", args: [a] });
  const [payer, payTo] = await Promise.all([read(state.payer), read(state.payTo)]);
  return { payer: payer.toString(), payTo: payTo.toString() };
}
