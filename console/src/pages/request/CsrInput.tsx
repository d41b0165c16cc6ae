import Container from '@cloudscape-design/components/container';
import FileUpload from '@cloudscape-design/components/file-upload';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import { useState } from 'react';
import { CsrDetails } from './CsrDetails';

const looksLikePem = (text: string) => /-----BEGIN (NEW )?CERTIFICATE REQUEST-----/.test(text);

/** A P10's CSR as a file or pasted PEM, decoded below it before the request is sent. */
export function CsrInput({ value, errorText, onChange }: { value: string; errorText?: string; onChange: (pem: string) => void }) {
  const [files, setFiles] = useState<File[]>([]);
  const [fileError, setFileError] = useState<string>();
  const choose = async (chosen: File[]) => {
    setFiles(chosen);
    setFileError(undefined);
    const file = chosen[0];
    if (!file) return;
    const text = await file.text();
    // A DER or other file is not pasted into the PEM field: the message says what is wanted instead.
    if (looksLikePem(text)) onChange(text);
    else setFileError('This file is not a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----).');
  };
  return (
    <SpaceBetween size="l">
      <FormField label="CSR file" description="A PEM file (.csr, .pem), or paste the PEM below." errorText={fileError}>
        <FileUpload
          value={files}
          accept=".csr,.pem,.req,.txt"
          onChange={(event) => void choose(event.detail.value)}
          i18nStrings={{
            uploadButtonText: () => 'Choose file',
            dropzoneText: () => 'Drop the CSR file here',
            removeFileAriaLabel: () => 'Remove file',
            limitShowFewer: 'Show fewer files',
            limitShowMore: 'Show more files',
            errorIconAriaLabel: 'Error',
          }}
        />
      </FormField>
      <FormField label="Certificate request (PEM)" errorText={errorText}>
        <Textarea
          value={value}
          rows={6}
          placeholder="-----BEGIN CERTIFICATE REQUEST-----"
          spellcheck={false}
          onChange={(event) => {
            setFiles([]);
            setFileError(undefined);
            onChange(event.detail.value);
          }}
        />
      </FormField>
      {looksLikePem(value) ? (
        <Container header={<Header variant="h3">The certificate request, decoded</Header>}>
          <CsrDetails pem={value} requestId="new-request" />
        </Container>
      ) : null}
    </SpaceBetween>
  );
}
