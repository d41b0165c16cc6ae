import Checkbox from '@cloudscape-design/components/checkbox';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Multiselect from '@cloudscape-design/components/multiselect';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import { KEY_ALGORITHMS } from '../../../../functions/domain/csr-policy';
import type { CsrPolicyDraft, CsrPolicyErrors, CsrPolicyField, KeyAlgorithm } from '../../csrPolicy';

const ENFORCE_OPTIONS = [
  { value: '', label: 'Not checked', description: 'CSRs are not checked against a policy.' },
  { value: 'flag', label: 'Flag', description: 'Create the request and show the findings to approvers.' },
  { value: 'refuse', label: 'Refuse', description: 'Refuse a request whose CSR has any finding.' },
] as const;
const KEY_OPTIONS = KEY_ALGORITHMS.map((value) => ({ value, label: value }));

/** Admins edit the profile's certificate request policy; the API's messages appear on its fields. */
export function CsrPolicyFields(props: {
  value: CsrPolicyDraft;
  errors: CsrPolicyErrors;
  onChange: (value: CsrPolicyDraft, field: CsrPolicyField) => void;
}) {
  const { value, errors } = props;
  const set = <K extends CsrPolicyField>(field: K, next: CsrPolicyDraft[K]) => props.onChange({ ...value, [field]: next }, field);
  const number = (field: 'minRsaBits' | 'minEcBits' | 'maxSans', label: string, description: string) => (
    <FormField label={label} description={description} errorText={errors[field]}>
      <Input type="number" inputMode="numeric" value={value[field]} onChange={(event) => set(field, event.detail.value)} />
    </FormField>
  );
  return (
    <Container
      header={
        <Header variant="h2" description="How a P10 enrollment's certificate request (CSR) is checked when the request is created.">
          Certificate request policy
        </Header>
      }
    >
      <SpaceBetween size="l">
        <FormField label="Enforcement" errorText={errors.enforce}>
          <Select
            selectedOption={ENFORCE_OPTIONS.find((option) => option.value === value.enforce) ?? ENFORCE_OPTIONS[0]}
            options={ENFORCE_OPTIONS}
            onChange={(event) => set('enforce', event.detail.selectedOption.value as CsrPolicyDraft['enforce'])}
          />
        </FormField>
        {value.enforce ? (
          <ColumnLayout columns={2}>
            <FormField label="Key algorithms" description="Optional. Empty: any key algorithm." errorText={errors.keyAlgorithms}>
              <Multiselect
                selectedOptions={KEY_OPTIONS.filter((option) => value.keyAlgorithms.includes(option.value))}
                options={KEY_OPTIONS}
                placeholder="Any key algorithm"
                deselectAriaLabel={(option) => `Remove ${option.label}`}
                onChange={(event) =>
                  set(
                    'keyAlgorithms',
                    event.detail.selectedOptions.map((option) => option.value as KeyAlgorithm),
                  )
                }
              />
            </FormField>
            {number('maxSans', 'Maximum subject alternative names', 'Optional, 0 to 1000.')}
            {number('minRsaBits', 'Minimum RSA key size (bits)', 'Optional, 1024 to 16384; for example 3072.')}
            {number('minEcBits', 'Minimum EC key size (bits)', 'Optional, 192 to 521; for example 256 (P-256).')}
            <FormField
              label="Allowed domains"
              description="Optional, one per line. A domain allows itself and every name under it: example.com allows www.example.com, not evil-example.com. Empty: any domain."
              errorText={errors.allowedDomains}
            >
              <Textarea value={value.allowedDomains} rows={3} onChange={(event) => set('allowedDomains', event.detail.value)} />
            </FormField>
            <FormField label="Wildcards" errorText={errors.allowWildcards}>
              <Checkbox checked={value.allowWildcards} onChange={(event) => set('allowWildcards', event.detail.checked)}>
                Allow wildcard names (*.example.com)
              </Checkbox>
            </FormField>
          </ColumnLayout>
        ) : null}
      </SpaceBetween>
    </Container>
  );
}
