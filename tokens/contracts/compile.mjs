#!/usr/bin/env node
// Compile the platform's Solidity contracts with solc (standard JSON) into tokens/artifacts/.
//
//   node tokens/contracts/compile.mjs           write tokens/artifacts/<ContractName>.json
//   node tokens/contracts/compile.mjs --check   compile in memory; exit 1 if a committed artifact differs
//
// Output is deterministic (fixed source order, fixed key order, trailing newline), so compiling
// the same sources twice gives byte-identical files and `--check` can prove the artifacts are fresh.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
const NODE_MODULES = path.join(ROOT, "node_modules");
const CONTRACTS_DIR = path.join(ROOT, "tokens", "contracts");
const ARTIFACTS_DIR = path.join(ROOT, "tokens", "artifacts");
const solc = require(path.join(NODE_MODULES, "solc"));

// Cheap calls matter more than deployment size, hence runs 10,000. viaIR: measured cheaper for settlement
// (about 900 gas per allotment) and needed by SecurityToken's branch-free transfer check (the legacy
// pipeline runs out of stack there). evmVersion "prague" runs on anvil's default (latest) hardfork.
const SETTINGS = {
  evmVersion: "prague",
  optimizer: { enabled: true, runs: 10000 },
  viaIR: true,
};

/** Every .sol file under tokens/contracts, as project-relative source unit names, sorted. */
function findSources(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findSources(full));
    else if (entry.name.endsWith(".sol")) found.push(path.relative(ROOT, full).split(path.sep).join("/"));
  }
  return found.sort();
}

/** Resolve an import under the project root or node_modules, refusing paths that escape them. */
function findImport(importPath) {
  for (const base of [ROOT, NODE_MODULES]) {
    const full = path.resolve(base, importPath);
    if (!full.startsWith(base + path.sep)) continue;
    if (fs.existsSync(full)) return { contents: fs.readFileSync(full, "utf8") };
  }
  return { error: `File not found: ${importPath}` };
}

function compile() {
  const sourceNames = findSources(CONTRACTS_DIR);
  const sources = {};
  for (const name of sourceNames) sources[name] = { content: fs.readFileSync(path.join(ROOT, name), "utf8") };
  const input = {
    language: "Solidity",
    sources,
    settings: {
      ...SETTINGS,
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  for (const e of output.errors || []) {
    if (e.severity !== "error") process.stderr.write(`${e.formattedMessage}\n`);
  }
  if (errors.length) {
    for (const e of errors) process.stderr.write(`${e.formattedMessage}\n`);
    process.exit(2);
  }
  const artifacts = new Map();
  for (const sourceName of sourceNames) {
    const contracts = output.contracts[sourceName] || {};
    for (const contractName of Object.keys(contracts).sort()) {
      const c = contracts[contractName];
      if (!c.evm.bytecode.object) continue; // interfaces and abstract contracts
      if (artifacts.has(contractName)) throw new Error(`duplicate contract name ${contractName}`);
      const artifact = {
        contractName,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
        compiler: { version: solc.version(), settings: SETTINGS },
      };
      artifacts.set(contractName, `${JSON.stringify(artifact, null, 2)}\n`);
    }
  }
  return artifacts;
}

function main() {
  const check = process.argv.includes("--check");
  const artifacts = compile();
  if (check) {
    const differing = [];
    for (const [name, text] of artifacts) {
      const file = path.join(ARTIFACTS_DIR, `${name}.json`);
      if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) differing.push(name);
    }
    const stale = fs.existsSync(ARTIFACTS_DIR)
      ? fs
          .readdirSync(ARTIFACTS_DIR)
          .filter((f) => f.endsWith(".json") && !artifacts.has(f.slice(0, -5)))
          .map((f) => `${f.slice(0, -5)} (no longer compiled)`)
      : [];
    if (differing.length || stale.length) {
      process.stderr.write(
        `Artifacts out of date: ${[...differing, ...stale].join(", ")}. Run: node tokens/contracts/compile.mjs\n`,
      );
      process.exit(1);
    }
    process.stdout.write(`${artifacts.size} artifacts match a fresh compile (solc ${solc.version()}).\n`);
    return;
  }
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  for (const [name, text] of artifacts) fs.writeFileSync(path.join(ARTIFACTS_DIR, `${name}.json`), text);
  process.stdout.write(`Wrote ${artifacts.size} artifacts to tokens/artifacts (solc ${solc.version()}).\n`);
}

main();
