// What the browser tests need of a phone and a wallet: a new Egyptian number and the code auth sent it (from the test
// stack's outbox), and a test wallet behind an injected EIP-1193 provider (window.ethereum) that signs in node with
// @noble/curves, so the key never enters the page. Used by signin-methods and account.
import assert from 'node:assert/strict';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { open, outbox } from './helpers.mjs';

/** A new Egyptian mobile number: the local form people type, and the E.164 form auth keeps. */
export function newPhone() {
  const rest = String(Math.floor(10_000_000 + Math.random() * 89_999_999));
  return { local: `010${rest}`, e164: `+2010${rest}` };
}

/** The code of the newest SMS to the number, waiting for it a little. */
export async function smsCode(e164, { notBefore = 0 } = {}) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const message = (await outbox(e164)).find((item) => Date.parse(item.created_at) >= notBefore);
    const code = message?.body.match(/\b(\d{6})\b/)?.[1];
    if (code) return code;
    assert.ok(Date.now() < deadline, `no SMS to ${e164}`);
    await new Promise((done) => setTimeout(done, 250));
  }
}

export const hex = (bytes) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

/** EIP-55, written here again (not imported from the client) so that a wrong client checksum fails the test. */
export function checksummed(lower) {
  const hash = hex(keccak_256(new TextEncoder().encode(lower)));
  return `0x${[...lower].map((c, i) => (parseInt(hash[i], 16) >= 8 ? c.toUpperCase() : c)).join('')}`;
}

/** A test wallet: a fresh secp256k1 key; personal_sign as wallets do it (EIP-191: keccak of the prefixed message). */
export function testWallet() {
  const secret = secp256k1.utils.randomSecretKey();
  const publicKey = secp256k1.getPublicKey(secret, false);
  const lower = hex(keccak_256(publicKey.slice(1)).slice(-20));
  const wallet = { address: checksummed(lower), lower: `0x${lower}`, signed: [], reject: false };
  wallet.handle = (method, params) => {
    if (method === 'eth_requestAccounts' || method === 'eth_accounts') {
      // Lower case, as many wallets answer: the client must checksum it for auth.
      return wallet.reject ? { error: { code: 4001, message: 'User rejected the request.' } } : { result: [wallet.lower] };
    }
    if (method === 'personal_sign') {
      if (wallet.reject) return { error: { code: 4001, message: 'User rejected the request.' } };
      const [data, account] = params;
      assert.equal(account.toLowerCase(), wallet.lower);
      const bytes = Buffer.from(data.slice(2), 'hex');
      wallet.signed.push(bytes.toString('utf8'));
      const prefix = Buffer.from(`\x19Ethereum Signed Message:\n${bytes.length}`, 'utf8');
      const digest = keccak_256(Buffer.concat([prefix, bytes]));
      const recovered = secp256k1.sign(digest, secret, { prehash: false, format: 'recovered' });
      // noble: recovery byte, r, s; Ethereum: r, s, v = 27 + recovery.
      return { result: `0x${hex(recovered.slice(1))}${(27 + recovered[0]).toString(16)}` };
    }
    return { error: { code: 4200, message: `unsupported method ${method}` } };
  };
  return wallet;
}

/** A page whose window.ethereum is the test wallet (the key stays in node; the page asks through a binding). */
export async function openWithWallet(browser, wallet, options) {
  const opened = await open(browser, options);
  await opened.context.exposeFunction('__osoolTestWallet', (method, params) => wallet.handle(method, params ?? []));
  await opened.context.addInitScript(() => {
    window.ethereum = {
      isTestWallet: true,
      async request({ method, params }) {
        const answer = await window.__osoolTestWallet(method, params);
        if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code });
        return answer.result;
      },
    };
  });
  return opened;
}
