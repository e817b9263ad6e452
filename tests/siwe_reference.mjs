// The reference Sign-In with Ethereum implementation (npm `siwe`, with ethers v6), for the tests.
//
// `node tests/siwe_reference.mjs sign` reads {privateKey, domain, uri, chainId, nonce, issuedAt,
// expirationTime?, notBefore?, statement?, scheme?} as JSON on stdin, builds the EIP-4361 message with
// `new SiweMessage({...}).prepareMessage()`, signs it with an ethers Wallet (EIP-191 personal_sign) and
// prints {address, message, signature}.
// `node tests/siwe_reference.mjs parse` reads {message} and prints the fields the reference library
// reads from a message we made (it throws on anything EIP-4361 does not allow).
import { readFileSync } from "node:fs";
import { Wallet } from "ethers";
import { SiweMessage } from "siwe";

const input = JSON.parse(readFileSync(0, "utf8"));
const mode = process.argv[2];

if (mode === "sign") {
  const wallet = new Wallet(input.privateKey);
  const fields = {
    domain: input.domain,
    address: wallet.address,
    uri: input.uri,
    version: "1",
    chainId: input.chainId,
    nonce: input.nonce,
    issuedAt: input.issuedAt,
  };
  for (const optional of ["statement", "expirationTime", "notBefore", "scheme", "requestId", "resources"]) {
    if (input[optional] !== undefined) fields[optional] = input[optional];
  }
  const message = new SiweMessage(fields).prepareMessage();
  const signature = await wallet.signMessage(message);
  process.stdout.write(JSON.stringify({ address: wallet.address, message, signature }));
} else if (mode === "parse") {
  const parsed = new SiweMessage(input.message);
  process.stdout.write(JSON.stringify(parsed));
} else {
  process.stderr.write("usage: siwe_reference.mjs sign|parse < input.json\n");
  process.exit(2);
}
