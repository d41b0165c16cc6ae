import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeCsr } from '../../../console/src/csr';

const fixture = (name: string) => readFileSync(join(__dirname, '..', '..', 'fixtures', 'csr', name), 'utf8');

describe('decoding a PKCS#10 certificate request for the console', () => {
  it('shows an RSA request: subject, key size, subject alternative names and signature algorithm', async () => {
    const decoded = await decodeCsr(fixture('rsa-3072.csr'));
    expect(decoded).toEqual({
      parsed: true,
      subject: 'CN=web.example.com, O=Example',
      keyAlgorithm: 'RSA',
      keySize: 3072,
      subjectAlternativeNames: ['DNS:web.example.com', 'DNS:www.example.com', 'IP:10.0.0.1'],
      signatureAlgorithm: 'RSASSA-PKCS1-v1_5 with SHA-256',
    });
  });

  it('shows an elliptic-curve request with its curve and no alternative names', async () => {
    const decoded = await decodeCsr(fixture('ec-p384.csr'));
    expect(decoded).toMatchObject({
      parsed: true,
      subject: 'CN=ec.example.com',
      keyAlgorithm: 'EC',
      keySize: 384,
      curve: 'P-384',
      subjectAlternativeNames: [],
      signatureAlgorithm: 'ECDSA with SHA-384',
    });
  });

  it.each([
    ['PEM armour around bytes that are no request', '-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----'],
    ['a request cut short', fixture('rsa-3072.csr').slice(0, 300)],
    ['text that is no PEM at all', 'hello'],
  ])('reports %s as unparsable instead of throwing', async (_name, pem) => {
    const decoded = await decodeCsr(pem);
    expect(decoded.parsed).toBe(false);
    expect(decoded).toHaveProperty('error', expect.any(String));
  });
});
