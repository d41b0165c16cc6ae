/**
 * Distinguished names compared as names, not as strings: a P10's `subjectDn` must name the same
 * subject as its CSR.
 *
 * The rule:
 * - the string is read as RFC 4514 says (`,` or `;` between RDNs, `+` between the attributes of a
 *   multi-valued RDN, `\` escapes, `"…"` quoted values, spaces around separators ignored);
 * - attribute types compare by OID: `CN`, `cn` and `2.5.4.3` are one type; an unknown name never matches;
 * - values compare after RFC 4518-like folding: Unicode NFKC, case folded, leading and trailing
 *   spaces dropped and inner runs of spaces made one;
 * - the RDNs must be the CSR's, each with the same attributes (in any order inside one RDN), in the
 *   same sequence: written from the first RDN of the CSR (as openssl and most tools print a subject)
 *   or from the last (RFC 4514's order). `CN=a,O=b` names [CN=a, O=b] or [O=b, CN=a]; never
 *   [CN=a] or [CN=a, O=b, OU=c].
 */

/** One attribute of an RDN: its type's OID and its folded value. */
export interface DnAttribute {
  type: string;
  value: string;
}
export type Rdn = DnAttribute[];

/** Short names of the attribute types people write, by OID (RFC 4514, RFC 4519, PKCS #9). */
export const ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.42': 'GN',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID',
  '0.9.2342.19200300.100.1.25': 'DC',
  '1.2.840.113549.1.9.1': 'emailAddress',
};
const OID_OF: Readonly<Record<string, string>> = Object.fromEntries([
  ...Object.entries(ATTRIBUTE_NAMES).map(([oid, name]) => [name.toLowerCase(), oid]),
  ['e', '1.2.840.113549.1.9.1'],
  ['email', '1.2.840.113549.1.9.1'],
  ['s', '2.5.4.8'],
  ['givenname', '2.5.4.42'],
  ['surname', '2.5.4.4'],
  ['commonname', '2.5.4.3'],
  ['organizationname', '2.5.4.10'],
  ['organizationalunitname', '2.5.4.11'],
  ['countryname', '2.5.4.6'],
  ['localityname', '2.5.4.7'],
  ['stateorprovincename', '2.5.4.8'],
]);

/** RFC 4518-like folding of a value: NFKC, case folded, spaces trimmed and collapsed. */
export const foldValue = (value: string) => value.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();

/** The OID of a type as written (`CN`, `cn`, `2.5.4.3`, `OID.2.5.4.3`), or undefined when unknown. */
export function attributeOid(type: string): string | undefined {
  const name = type.trim().replace(/^oid\./i, '');
  if (/^\d+(\.\d+)+$/.test(name)) return name;
  return OID_OF[name.toLowerCase()];
}

/** The RDNs of an RFC 4514 string (types as OIDs, values folded), or a reason it cannot be read. */
export function parseDn(text: string): Rdn[] | string {
  const rdns: Rdn[] = [];
  let rdn: Rdn = [];
  let i = 0;
  const bytes: number[] = [];
  const flush = () => {
    const chunk = Buffer.from(bytes).toString('utf8');
    bytes.length = 0;
    return chunk;
  };
  while (i <= text.length) {
    const equals = text.indexOf('=', i);
    if (equals < 0) return text.trim() === '' && rdns.length === 0 ? 'is empty' : `has no "=" after "${text.slice(i).trim()}"`;
    const typeText = text.slice(i, equals);
    const type = attributeOid(typeText);
    if (!type) return `has an unknown attribute type "${typeText.trim()}"`;
    i = equals + 1;
    let value = '';
    let quoted = false;
    while (i < text.length && text[i] === ' ') i++;
    if (text[i] === '"') {
      quoted = true;
      i++;
    }
    for (; i < text.length; i++) {
      const char = text[i] as string;
      if (char === '\\') {
        const hex = text.slice(i + 1, i + 3);
        if (/^[0-9a-fA-F]{2}$/.test(hex)) {
          bytes.push(Number.parseInt(hex, 16));
          i += 2;
        } else if (i + 1 < text.length) {
          value += flush() + text[i + 1];
          i++;
        } else return 'ends with a lone "\\"';
        continue;
      }
      if (quoted) {
        if (char === '"') {
          quoted = false;
          continue;
        }
      } else if (char === ',' || char === ';' || char === '+') break;
      value += flush() + char;
    }
    value += flush();
    if (quoted) return 'has an unterminated quoted value';
    rdn.push({ type, value: foldValue(value) });
    const separator = text[i];
    i++;
    if (separator !== '+') {
      rdns.push(rdn);
      rdn = [];
    }
    if (separator === undefined) break;
  }
  return rdns;
}

const sameRdn = (a: Rdn, b: Rdn) => {
  const key = (rdn: Rdn) =>
    rdn
      .map((attribute) => `${attribute.type}=${attribute.value}`)
      .sort()
      .join('\u0000');
  return a.length === b.length && key(a) === key(b);
};
const sameSequence = (a: Rdn[], b: Rdn[]) => a.length === b.length && a.every((rdn, index) => sameRdn(rdn, b[index] as Rdn));

/** Whether `written` (an RFC 4514 string) names the subject `rdns` (in ASN.1 order), by the rule above. */
export function namesSubject(written: string, rdns: Rdn[]): boolean {
  const parsed = parseDn(written);
  if (typeof parsed === 'string') return false;
  return sameSequence(parsed, rdns) || sameSequence([...parsed].reverse(), rdns);
}

/** An RDN sequence as people read it (ASN.1 order, short type names, RFC 4514 escaping of values). */
export function formatDn(rdns: Array<Array<{ type: string; value: string }>>): string {
  const escapeValue = (value: string) => value.replace(/[,+"\\<>;=]/g, (char) => `\\${char}`).replace(/^[ #]|[ ]$/g, (char) => `\\${char}`);
  return rdns
    .map((rdn) => rdn.map((attribute) => `${ATTRIBUTE_NAMES[attribute.type] ?? attribute.type}=${escapeValue(attribute.value)}`).join('+'))
    .join(', ');
}
