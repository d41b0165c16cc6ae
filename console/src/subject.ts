import { knownSubjectFields } from '../../functions/domain/kinds';
import type { Kind } from './api';

/** Labels for the subject fields the contract names. */
const LABELS: Record<string, string> = {
  method: 'Enrollment method',
  subjectDn: 'Subject DN',
  serialNumber: 'Serial number',
  issuerDn: 'Issuer DN',
  reasonCode: 'Reason code',
  holderId: 'Holder ID',
  cardProfile: 'Card profile',
  count: 'Number of cards',
  cardSerial: 'Card serial',
  // As the requester gave it; the directory's holder email is shown beside the holder id.
  holderEmail: 'Holder email (as given)',
};

/** The header of the requester's own keys, apart from the service's fields. */
export const OTHER_FIELDS_HEADER = 'Other fields (given by the requester)';

export interface SubjectField {
  name: string;
  label: string;
  value: unknown;
}

/**
 * A subject split for showing: `known`, the kind's own fields in a fixed order with the service's
 * labels; `other`, every other key in the order given, labelled with the key quoted (`"Serial
 * number"`), so a key the requester chose never reads as one of the service's labels. Own properties
 * only: a key such as `toString` reads nothing from Object.prototype.
 */
export function subjectFields(kind: Kind, subject: Record<string, unknown>): { known: SubjectField[]; other: SubjectField[] } {
  // An enrollment's `csr` is its own too, but shown decoded below the table, not in it.
  const own = knownSubjectFields(kind);
  const known = own
    .filter((name) => name !== 'csr' && Object.hasOwn(subject, name))
    .map((name) => ({ name, label: Object.hasOwn(LABELS, name) ? (LABELS[name] as string) : JSON.stringify(name), value: subject[name] }));
  const other = Object.keys(subject)
    .filter((name) => !own.includes(name))
    .map((name) => ({ name, label: JSON.stringify(name), value: subject[name] }));
  return { known, other };
}
