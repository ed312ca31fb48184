/**
 * A local stand-in for Microsoft Entra ID's token signing: an RSA key pair generated for the test run, its public
 * key served as a JWKS over a real local HTTP endpoint (as login.microsoftonline.com serves the tenant's keys),
 * and tokens minted with it. Never used outside tests; the keys live only in memory.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export const TENANT_ID = '11111111-2222-3333-4444-555555555555';
export const AUDIENCE = 'api://elastic-scaler-test';
export const ISSUER = `https://login.microsoftonline.com/${TENANT_ID}/v2.0`;
const KEY_ID = 'test-signing-key';

export interface TokenOptions {
  roles?: string[];
  audience?: string;
  issuer?: string;
  /** Seconds from now; negative for a token that expired. */
  expiresInSeconds?: number;
  claims?: Record<string, unknown>;
  /** Sign with a key the JWKS does not publish, under the published key id. */
  forgeSignature?: boolean;
}

export interface EntraStandIn {
  jwksUri: string;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
  /** App settings that turn Entra ID validation on against this stand-in. */
  settings(extra?: Record<string, string>): Record<string, string>;
  token(options?: TokenOptions): Promise<string>;
  /** An unsecured JWT (`alg: none`) with otherwise valid claims. */
  unsignedToken(options?: TokenOptions): string;
  /** The private key as JWK, to check it never shows up anywhere. */
  privateJwk: JWK;
  close(): Promise<void>;
}

export async function startEntraStandIn(): Promise<EntraStandIn> {
  const [signing, forger] = await Promise.all([
    generateKeyPair('RS256', { extractable: true }),
    generateKeyPair('RS256'),
  ]);
  const publicJwk = { ...(await exportJWK(signing.publicKey)), kid: KEY_ID, alg: 'RS256', use: 'sig' };
  const privateJwk = await exportJWK(signing.privateKey);
  let fetches = 0;
  const server = createServer((request, response) => {
    if (request.url !== '/discovery/v2.0/keys') {
      response.writeHead(404).end();
      return;
    }
    fetches += 1;
    response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [publicJwk] }));
  });
  const port = await listen(server);
  const jwksUri = `http://127.0.0.1:${port}/discovery/v2.0/keys`;
  return {
    jwksUri,
    jwksFetches: () => fetches,
    settings: (extra = {}) => ({
      SCALER_ENTRA_TENANT_ID: TENANT_ID,
      SCALER_ENTRA_AUDIENCES: AUDIENCE,
      SCALER_ENTRA_JWKS_URI: jwksUri,
      ...extra,
    }),
    token: (options = {}) => sign(options.forgeSignature ? forger.privateKey : signing.privateKey, options),
    unsignedToken: (options = {}) => unsigned(options),
    privateJwk,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function claimsOf(options: TokenOptions): Record<string, unknown> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const expiresIn = options.expiresInSeconds ?? 3600;
  return {
    iss: options.issuer ?? ISSUER,
    aud: options.audience ?? AUDIENCE,
    iat: nowSeconds + Math.min(0, expiresIn) - 3600,
    nbf: nowSeconds + Math.min(0, expiresIn) - 3600,
    exp: nowSeconds + expiresIn,
    tid: TENANT_ID,
    oid: '99999999-8888-7777-6666-555555555555',
    sub: 'subject-1',
    appid: '461e8683-5575-4561-ac7f-899cc907d62a',
    ...(options.roles ? { roles: options.roles } : {}),
    ...options.claims,
  };
}

function sign(key: CryptoKey, options: TokenOptions): Promise<string> {
  return new SignJWT(claimsOf(options)).setProtectedHeader({ alg: 'RS256', kid: KEY_ID, typ: 'JWT' }).sign(key);
}

function unsigned(options: TokenOptions): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT', kid: KEY_ID })}.${encode(claimsOf(options))}.`;
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}
