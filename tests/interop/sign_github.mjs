// Signs a body as GitHub does, with GitHub's own @octokit/webhooks-methods.
// Usage: node sign_github.mjs SECRET < body ; prints the X-Hub-Signature-256 value.
import { sign, verify } from "@octokit/webhooks-methods";

const secret = process.argv[2];
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const body = Buffer.concat(chunks).toString("utf8");
const signature = await sign(secret, body);
// The library's own verifier must accept it, or the test proves nothing.
if (!(await verify(secret, body, signature))) {
  throw new Error("@octokit/webhooks-methods did not verify its own signature");
}
process.stdout.write(signature);
