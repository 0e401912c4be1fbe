import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

// `npm run bench -- <name>` runs bench/<name>.ts; with no name it lists what there is.
const dir = fileURLToPath(new URL(".", import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !["run.ts", "support.ts"].includes(f))
  .map((f) => f.slice(0, -3))
  .sort();
const name = process.argv[2];
if (!name || !/^[a-z0-9-]+$/.test(name) || !existsSync(`${dir}${name}.ts`)) {
  console.error(`usage: npm run bench -- <name>   (one of: ${available.join(", ")})`);
  process.exit(2);
}
await import(pathToFileURL(`${dir}${name}.ts`).href);
