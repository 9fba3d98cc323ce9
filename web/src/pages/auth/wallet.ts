// Sign-In with Ethereum from the browser: the wallet (an EIP-1193 provider), the EIP-4361 message, its signature.
import { keccak_256 } from '@noble/hashes/sha3.js';
import { linkWallet, siweNonce, signInWithWallet } from '../../api/auth';
import type { TokenPair, User } from '../../api/types';

/** EIP-1193: what an injected wallet (window.ethereum) offers. */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

declare global {
  interface Window {
    ethereum?: Eip1193Provider;
  }
}

/** Why the wallet did not sign, in terms the page can say. */
export class WalletError extends Error {
  constructor(readonly reason: 'no_wallet' | 'declined' | 'busy' | 'failed') {
    super(reason);
    this.name = 'WalletError';
  }
}

// The statement must keep to EIP-4361's ASCII alphabet, so it stays English in both languages.
const STATEMENT = 'Sign in to Osool.';
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export function walletProvider(): Eip1193Provider | null {
  const provider = window.ethereum;
  return provider && typeof provider.request === 'function' ? provider : null;
}

/** EIP-55 mixed-case checksum: auth accepts checksummed addresses only, and wallets often answer in lower case.
 * keccak-256 (not SHA-3) is not in Web Crypto, hence @noble/hashes. */
export function checksumAddress(address: string): string {
  if (!ADDRESS.test(address)) throw new WalletError('failed');
  const hex = address.slice(2).toLowerCase();
  const hash = keccak_256(new TextEncoder().encode(hex));
  let out = '0x';
  for (const [i, char] of [...hex].entries()) {
    const nibble = ((hash[i >> 1] ?? 0) >> (i % 2 === 0 ? 4 : 0)) & 0x0f;
    out += nibble >= 8 ? char.toUpperCase() : char;
  }
  return out;
}

export interface SiweFields {
  domain: string;
  address: string;
  uri: string;
  chainId: number;
  nonce: string;
  issuedAt: Date;
  expirationTime: Date;
}

/** The EIP-4361 text, lines joined by LF, exactly as auth parses it (services/auth/osool_auth/siwe.py). */
export function siweMessage(fields: SiweFields): string {
  return [
    `${fields.domain} wants you to sign in with your Ethereum account:`,
    fields.address,
    '',
    STATEMENT,
    '',
    `URI: ${fields.uri}`,
    'Version: 1',
    `Chain ID: ${fields.chainId}`,
    `Nonce: ${fields.nonce}`,
    `Issued At: ${fields.issuedAt.toISOString()}`,
    `Expiration Time: ${fields.expirationTime.toISOString()}`,
  ].join('\n');
}

/** personal_sign takes the message as hex of its UTF-8 bytes (what wallets show decoded). */
function utf8Hex(text: string): string {
  let out = '0x';
  for (const byte of new TextEncoder().encode(text)) out += byte.toString(16).padStart(2, '0');
  return out;
}

function walletFailure(error: unknown): WalletError {
  const code = error && typeof error === 'object' ? (error as { code?: unknown }).code : undefined;
  // EIP-1193: 4001 the person rejected the request; -32002 (JSON-RPC) one is already waiting in the wallet.
  if (code === 4001) return new WalletError('declined');
  if (code === -32002) return new WalletError('busy');
  return new WalletError('failed');
}

async function ask<T>(provider: Eip1193Provider, method: string, params?: unknown[]): Promise<T> {
  try {
    return (await provider.request(params ? { method, params } : { method })) as T;
  } catch (error) {
    throw walletFailure(error);
  }
}

/** Asks the wallet for its account and has it sign a fresh EIP-4361 message naming a nonce from auth: what both
 * signing in (POST /siwe/verify) and linking the wallet to an account (POST /wallet/link) send.
 * Auth's errors (ApiError, NetworkError) pass through; the wallet's become WalletError. */
export async function signedSiweMessage(
  provider: Eip1193Provider | null = walletProvider(),
): Promise<{ message: string; signature: string; address: string }> {
  if (!provider) throw new WalletError('no_wallet');
  const accounts = await ask<unknown>(provider, 'eth_requestAccounts');
  const first = Array.isArray(accounts) ? accounts[0] : undefined;
  if (typeof first !== 'string') throw new WalletError('failed');
  const address = checksumAddress(first);
  const nonce = await siweNonce();
  const issuedAt = new Date();
  const message = siweMessage({
    domain: nonce.domain,
    address,
    uri: nonce.uri,
    chainId: nonce.chain_id,
    nonce: nonce.nonce,
    issuedAt,
    expirationTime: new Date(issuedAt.getTime() + nonce.expires_in * 1000),
  });
  const signature = await ask<unknown>(provider, 'personal_sign', [utf8Hex(message), address]);
  if (typeof signature !== 'string') throw new WalletError('failed');
  return { message, signature, address };
}

/** Signs in (or up) with the wallet's signed message. */
export async function signInWithEthereum(provider: Eip1193Provider | null = walletProvider()): Promise<TokenPair> {
  const { message, signature } = await signedSiweMessage(provider);
  return signInWithWallet(message, signature);
}

/** Links the wallet to the signed-in account; the account as auth has it then. */
export async function linkEthereumWallet(provider: Eip1193Provider | null = walletProvider()): Promise<User> {
  const { message, signature } = await signedSiweMessage(provider);
  return linkWallet(message, signature);
}
