#!/usr/bin/env node
// Recover the signer of an EIP-712 attestation file with ethers v6, as an outside verifier would.
//
//   node tests/ethers_verify_typed_data.mjs FILE.json   prints the recovered address (checksummed)
//
// The file is `{domain, types, primaryType, message, signature}`. ethers derives the domain type from
// the domain itself, so EIP712Domain is left out of the types it is given.
import fs from "node:fs";
import { verifyTypedData } from "ethers";

const file = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const types = { ...file.types };
delete types.EIP712Domain;
process.stdout.write(`${verifyTypedData(file.domain, types, file.message, file.signature)}\n`);
