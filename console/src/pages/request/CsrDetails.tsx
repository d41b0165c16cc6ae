import Button from '@cloudscape-design/components/button';
import CopyToClipboard from '@cloudscape-design/components/copy-to-clipboard';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import KeyValuePairs from '@cloudscape-design/components/key-value-pairs';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import StatusIndicator from '@cloudscape-design/components/status-indicator';
import { useEffect, useState } from 'react';
import { csrFileName, type DecodedCsr, decodeCsr, type RequestedExtension, type SignatureCheck } from '../../csr';

const listed = (extension: RequestedExtension<string[]> | undefined) =>
  extension ? `${extension.value.join(', ') || 'None'}${extension.critical ? ' (critical)' : ''}` : 'Not requested';

function basicConstraintsText(extension: RequestedExtension<{ ca: boolean; pathLength?: number }> | undefined) {
  if (!extension) return 'Not requested';
  const { ca, pathLength } = extension.value;
  const text = ca ? `CA${pathLength === undefined ? '' : `, path length ${pathLength}`}` : 'Not a CA (end entity)';
  return `${text}${extension.critical ? ' (critical)' : ''}`;
}

function SignatureStatus({ check }: { check: SignatureCheck }) {
  if (check.status === 'valid') return <StatusIndicator type="success">Verifies with the request's public key</StatusIndicator>;
  if (check.status === 'invalid')
    return <StatusIndicator type="error">Does not verify: the request was altered or not signed by this key</StatusIndicator>;
  return <StatusIndicator type="info">Not checked: {check.reason}</StatusIndicator>;
}

/** Colon-separated hex that wraps between bytes, never inside one. */
function Fingerprint({ hex }: { hex: string }) {
  const pairs = hex.split(':');
  return (
    <span className="fingerprint">
      {pairs.map((pair, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a byte's position is its identity
        <span key={index}>
          <span className="nowrap">{index < pairs.length - 1 ? `${pair}:` : pair}</span>
          <wbr />
        </span>
      ))}
    </span>
  );
}

/** The PEM as a file to download, named after the request's CN. */
function useDownloadUrl(pem: string): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    const created = URL.createObjectURL(new Blob([pem.endsWith('\n') ? pem : `${pem}\n`], { type: 'application/pkcs10' }));
    setUrl(created);
    return () => URL.revokeObjectURL(created);
  }, [pem]);
  return url;
}

function RawPem({ pem, fileName }: { pem: string; fileName: string }) {
  const url = useDownloadUrl(pem);
  return (
    <ExpandableSection headerText="Certificate request (PEM)" variant="footer">
      <SpaceBetween size="s">
        <SpaceBetween direction="horizontal" size="xs">
          <CopyToClipboard
            variant="button"
            copyButtonText="Copy PEM"
            textToCopy={pem}
            copySuccessText="PEM copied"
            copyErrorText="The PEM could not be copied"
          />
          <Button iconName="download" href={url} download={fileName}>
            Download .csr
          </Button>
        </SpaceBetween>
        <pre className="pem">{pem.trim()}</pre>
      </SpaceBetween>
    </ExpandableSection>
  );
}

/** A P10 request decoded for an officer's due diligence: key, requested extensions, fingerprint, signature, raw PEM. */
/**
 * `names`: the subject alternative names the service read at create (request.csr), from every
 * extension request the CSR carries (Microsoft's attribute too, which AD CS reads): shown instead of
 * the browser's own reading, which sees the PKCS #9 one only.
 */
export function CsrDetails({ pem, requestId, names }: { pem: string; requestId: string; names?: readonly string[] }) {
  const [csr, setCsr] = useState<DecodedCsr>();
  useEffect(() => {
    let current = true;
    decodeCsr(pem).then((decoded) => current && setCsr(decoded));
    return () => {
      current = false;
    };
  }, [pem]);
  if (!csr) return <Spinner />;
  if (!csr.parsed) {
    return (
      <SpaceBetween size="s">
        <StatusIndicator type="error">Unparsable certificate request: {csr.error}</StatusIndicator>
        <RawPem pem={pem} fileName={csrFileName(undefined, requestId)} />
      </SpaceBetween>
    );
  }
  return (
    <SpaceBetween size="m">
      <KeyValuePairs
        columns={3}
        items={[
          { label: 'CSR subject', value: csr.subject || '-' },
          { label: 'Key', value: `${csr.keyAlgorithm}${csr.keySize ? ` ${csr.keySize} bits` : ''}${csr.curve ? ` (${csr.curve})` : ''}` },
          {
            label: 'Subject alternative names',
            value: (names ?? csr.subjectAlternativeNames).length ? (names ?? csr.subjectAlternativeNames).join(', ') : 'None',
          },
          { label: 'Key usage', value: listed(csr.keyUsage) },
          { label: 'Extended key usage', value: listed(csr.extendedKeyUsage) },
          { label: 'Basic constraints', value: basicConstraintsText(csr.basicConstraints) },
          { label: 'Signature algorithm', value: csr.signatureAlgorithm },
          { label: 'Signature', value: <SignatureStatus check={csr.signature} /> },
          {
            label: 'Public key SHA-256 fingerprint',
            value: (
              <CopyToClipboard
                variant="inline"
                textToCopy={csr.publicKeySha256}
                copyButtonAriaLabel="Copy fingerprint"
                textToDisplay={<Fingerprint hex={csr.publicKeySha256} />}
                copySuccessText="Fingerprint copied"
                copyErrorText="The fingerprint could not be copied"
              />
            ),
          },
        ]}
      />
      <RawPem pem={pem} fileName={csrFileName(csr.subject, requestId)} />
    </SpaceBetween>
  );
}
