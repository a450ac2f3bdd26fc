// Test-only: judge one of our sigstore bundles with sigstore-js, an implementation we
// did not write (tests/independent_checkers.py runs it).
//
//   node verify.mjs BUNDLE.json PUBLIC_KEY.pem
//
// Exit 0 and one line naming what was verified, or exit 1 and sigstore-js's one-line
// reason (2 for a usage mistake).
//
// The bundles are signed with a key, "offline": no transparency log entry, no signed
// timestamp, no certificate. The high-level `sigstore` package cannot judge those (its
// verify() always fetches the public-good TUF root and keeps @sigstore/verify's default
// of one timestamp), so this uses the library underneath it, @sigstore/verify, with its
// public VerifierOptions set to require no tlog entry, no SCT and no timestamp, and an
// empty trusted root: the only thing trusted is the given public key.
import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { bundleFromJSON } = require('@sigstore/bundle');
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify');

function oneLine(text) {
  return String(text).replace(/\s+/g, ' ').trim();
}

function reason(err) {
  const parts = [err?.name || 'Error'];
  if (err?.code) parts.push(err.code);
  parts.push(err?.message ?? String(err));
  let line = parts.join(': ');
  if (Array.isArray(err?.fields) && err.fields.length) {
    line += ` (${err.fields.join(', ')})`;
  }
  return oneLine(line);
}

function fail(line) {
  process.stdout.write(`${oneLine(line)}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
if (args.length !== 2) {
  process.stderr.write('usage: node verify.mjs BUNDLE.json PUBLIC_KEY.pem\n');
  process.exit(2);
}
const [bundlePath, keyPath] = args;

let bundleJSON;
let publicKey;
try {
  bundleJSON = JSON.parse(readFileSync(bundlePath, 'utf8'));
} catch (err) {
  fail(`cannot read bundle ${bundlePath}: ${reason(err)}`);
}
try {
  publicKey = createPublicKey(readFileSync(keyPath, 'utf8'));
} catch (err) {
  fail(`cannot read public key ${keyPath}: ${reason(err)}`);
}

const hints = [];
const keyFinder = (hint) => {
  hints.push(hint);
  // Trusted for all time: with no timestamps in the bundle, validFor is never asked.
  return { publicKey, validFor: () => true };
};
const noAuthorities = { certificateAuthorities: [], timestampAuthorities: [], tlogs: [], ctlogs: [] };
const verifier = new Verifier(toTrustMaterial(noAuthorities, keyFinder), {
  tlogThreshold: 0,
  ctlogThreshold: 0,
  timestampThreshold: 0,
});

let bundle;
try {
  bundle = bundleFromJSON(bundleJSON);
} catch (err) {
  fail(`invalid bundle: ${reason(err)}`);
}
if (bundle.content?.$case !== 'dsseEnvelope') {
  fail(`not a DSSE bundle: content is ${bundle.content?.$case}`);
}
try {
  verifier.verify(toSignedEntity(bundle));
} catch (err) {
  fail(reason(err));
}

// Verified; name what was verified (only read now, after the signature checked out).
const envelope = bundle.content.dsseEnvelope;
let what = `payloadType ${envelope.payloadType}`;
try {
  const statement = JSON.parse(Buffer.from(envelope.payload).toString('utf8'));
  const subjects = (statement.subject || [])
    .map((s) => `${s.name}@sha256:${s.digest?.sha256}`)
    .join(', ');
  what = `${statement._type} ${statement.predicateType} for ${subjects}`;
} catch {
  // not JSON: keep the payloadType
}
const keyHint = hints.length ? hints[0] : '';
process.stdout.write(
  oneLine(`verified ${bundle.mediaType} DSSE ${what}; key hint ${JSON.stringify(keyHint)}`) + '\n',
);
