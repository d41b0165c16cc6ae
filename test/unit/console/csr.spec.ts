import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { colonHex, csrFileName, decodeCsr } from '../../../console/src/csr';

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
      // openssl req -in rsa-3072.csr -pubkey -noout | openssl pkey -pubin -outform DER | openssl dgst -sha256 -c
      publicKeySha256: '33:9A:A0:5F:AF:E1:C0:EB:0F:9B:81:4A:AF:DE:96:EE:7D:07:9F:8F:DB:26:24:06:0E:56:51:0C:4C:4D:FA:50',
      signature: { status: 'valid' },
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
      publicKeySha256: '3D:CF:68:F5:32:56:6F:25:8C:F7:D2:F7:4B:7E:B1:7B:9C:01:51:68:91:58:2A:3A:4F:C1:36:DF:02:FE:D6:ED',
      signature: { status: 'valid' },
    });
    expect(decoded).not.toHaveProperty('keyUsage');
    expect(decoded).not.toHaveProperty('extendedKeyUsage');
    expect(decoded).not.toHaveProperty('basicConstraints');
  });

  it('shows the requested key usage, extended key usage and basic constraints, with their criticality', async () => {
    const decoded = await decodeCsr(fixture('ec-p256-extensions.csr'));
    expect(decoded).toMatchObject({
      parsed: true,
      subject: 'CN=device-17.example.com, O=Example',
      keyAlgorithm: 'EC',
      curve: 'P-256',
      subjectAlternativeNames: ['DNS:device-17.example.com'],
      keyUsage: { value: ['digitalSignature', 'keyEncipherment'], critical: true },
      extendedKeyUsage: { value: ['serverAuth', 'clientAuth'], critical: false },
      basicConstraints: { value: { ca: false }, critical: true },
      publicKeySha256: '41:F4:61:FB:F2:38:4C:DB:AD:8A:BF:5D:B3:43:9A:5F:D5:5D:E1:F1:7A:88:D0:96:6C:00:B1:C8:FA:A9:CC:26',
      signature: { status: 'valid' },
    });
  });

  it('says the signature does not verify when the signed part was changed after signing', async () => {
    // ec-p256-extensions.csr with one letter of its CN changed (device-17 to device-87), signature kept.
    const decoded = await decodeCsr(fixture('ec-p256-bad-signature.csr'));
    expect(decoded).toMatchObject({
      parsed: true,
      subject: 'CN=device-87.example.com, O=Example',
      // The same key as the request it was made from.
      publicKeySha256: '41:F4:61:FB:F2:38:4C:DB:AD:8A:BF:5D:B3:43:9A:5F:D5:5D:E1:F1:7A:88:D0:96:6C:00:B1:C8:FA:A9:CC:26',
      signature: { status: 'invalid' },
    });
  });

  it('decodes a DSA request, which WebCrypto cannot verify, and says its signature was not checked', async () => {
    const decoded = await decodeCsr(fixture('dsa-2048.csr'));
    expect(decoded).toMatchObject({
      parsed: true,
      subject: 'CN=dsa.example.com',
      keyAlgorithm: 'DSA',
      signatureAlgorithm: 'DSA with SHA-256',
      publicKeySha256: 'E3:AA:A2:E4:2B:F0:55:B4:CF:73:7B:4B:E7:80:6E:C9:12:05:87:D0:A5:F6:D3:F7:92:B1:84:44:70:60:65:A9',
      signature: { status: 'not-checked', reason: 'this browser cannot verify DSA with SHA-256 signatures' },
    });
  });

  it('writes fingerprints as upper-case hex pairs joined by colons, one pair per byte', () => {
    expect(colonHex(new Uint8Array([0, 15, 160, 255]))).toBe('00:0F:A0:FF');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        const text = colonHex(bytes);
        expect(text).toMatch(/^[0-9A-F]{2}(:[0-9A-F]{2})*$/);
        expect(text.split(':').map((pair) => Number.parseInt(pair, 16))).toEqual([...bytes]);
      }),
    );
  });

  it.each([
    ['CN=web.example.com, O=Example', 'web.example.com.csr'],
    ['O=Example, CN=a b/c', 'a_b_c.csr'],
    ['O=Example', 'r-1.csr'],
    [undefined, 'r-1.csr'],
    ['CN=../../etc', 'etc.csr'],
  ])('names the downloaded file of %j %s', (subject, name) => {
    expect(csrFileName(subject, 'r-1')).toBe(name);
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
