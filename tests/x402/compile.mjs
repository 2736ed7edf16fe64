// Compiles contracts/*.sol offline with solc-js (the compiler ships inside the npm package as
// soljson.js) and writes .build/contracts.json: { Name: { abi, bytecode, deployedBytecode } }.
import fs from "node:fs";
import path from "node:path";
import solc from "solc";

const here = path.dirname(new URL(import.meta.url).pathname);
const dir = path.join(here, "contracts");
const sources = {};
for (const file of fs.readdirSync(dir).filter(f => f.endsWith(".sol"))) {
  sources[file] = { content: fs.readFileSync(path.join(dir, file), "utf8") };
}
const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    // anvil 1.7 runs the latest hard fork; "cancun" keeps the output valid on older chains too.
    evmVersion: "cancun",
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors ?? []).filter(e => e.severity === "error");
for (const e of output.errors ?? []) console.error(e.formattedMessage);
if (errors.length > 0) process.exit(1);

const out = {};
for (const [file, contracts] of Object.entries(output.contracts)) {
  for (const [name, c] of Object.entries(contracts)) {
    out[name] = { abi: c.abi, bytecode: "0x" + c.evm.bytecode.object, deployedBytecode: "0x" + c.evm.deployedBytecode.object };
    console.error(`compiled ${file}:${name} (${c.evm.deployedBytecode.object.length / 2} bytes)`);
  }
}
fs.mkdirSync(path.join(here, ".build"), { recursive: true });
fs.writeFileSync(path.join(here, ".build", "contracts.json"), JSON.stringify(out));
