// `npm run identities [-- <count>]`: fresh registration identities that pass the node's own
// validators, for trying the API by hand (each may be registered once per node).
import { randomInt } from "node:crypto";
import { validateCreditCode, validateRegistrationNumber } from "../core/validation";
import { creditCode, registrationNumber } from "./history/identifiers";
import { Random } from "./history/random";

const count = Number(process.argv[2] ?? 3);
if (!Number.isInteger(count) || count < 1 || count > 100) {
  console.error("usage: npm run identities [-- <count from 1 to 100>]");
  process.exit(2);
}
const rng = new Random(randomInt(2 ** 31));
const rows: string[] = [];
for (let i = 0; i < count; i++) {
  // Urumqi (650100) and Xi'an (610100) registering offices.
  const cn = creditCode(rng, i % 2 === 0 ? "650100" : "610100");
  const kz = registrationNumber(rng, "KZ");
  // The generators share the node's check functions; checking again keeps this honest.
  if (!validateCreditCode(cn).ok || !validateRegistrationNumber("KZ", kz).ok) {
    throw new Error(`generated an invalid identity: ${cn} ${kz}`);
  }
  rows.push(`CN creditCode ${cn}    KZ registrationNumber (BIN) ${kz}`);
}
console.log(rows.join("\n"));
