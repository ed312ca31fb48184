import { generate } from 'selfsigned';

export interface EmulatorCertificates {
  /** PEM of the test CA that signed the server certificate: what clients must trust. */
  caPem: string;
  certPem: string;
  keyPem: string;
}

let cached: Promise<EmulatorCertificates> | undefined;

/**
 * A throw-away CA and a server certificate for localhost / 127.0.0.1 / ::1, generated in memory. Generated once per
 * process (EC keys, ~50 ms) and shared by every emulator the process starts.
 */
export function emulatorCertificates(): Promise<EmulatorCertificates> {
  cached ??= generateCertificates();
  return cached;
}

async function generateCertificates(): Promise<EmulatorCertificates> {
  const ca = await generate([{ name: 'commonName', value: 'elastic-scaler test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { caPem: ca.cert, certPem: server.cert, keyPem: server.private };
}
