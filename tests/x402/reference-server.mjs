// The reference resource server, @x402/express's paymentMiddleware over the local facilitator:
// used to prove the harness before the edge is put in its place.
// Usage: node reference-server.mjs --state state.json --port 4022 --facilitator http://127.0.0.1:4021 --amount 10000
import express from "express";
import { paymentMiddleware, x402ResourceServer } from "@x402/express";
import { ExactEvmScheme } from "@x402/evm/exact/server";
import { HTTPFacilitatorClient } from "@x402/core/server";
import { arg, readState } from "./lib.mjs";

const state = readState(arg("state", "state.json"));
const port = Number(arg("port", "4022"));
const facilitatorUrl = arg("facilitator", "http://127.0.0.1:4021");
const amount = arg("amount", "10000");

const server = new x402ResourceServer(new HTTPFacilitatorClient({ url: facilitatorUrl })).register(state.network, new ExactEvmScheme());
let handled = 0;
const app = express();
app.use(paymentMiddleware({
  "GET /paid": {
    accepts: {
      scheme: "exact", network: state.network, payTo: state.payTo, maxTimeoutSeconds: 60,
      price: { amount, asset: state.token, extra: { name: state.tokenName, version: state.tokenVersion } },
    },
    description: "a paid call",
  },
}, server));
app.get("/paid", (_req, res) => { handled++; res.json({ paid: true, handled }); });
app.get("/handled", (_req, res) => res.json({ handled }));
app.listen(port, "127.0.0.1", () => console.error(`reference server on http://127.0.0.1:${port}/paid`));
