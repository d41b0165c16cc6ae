/**
 * Finding a request by what an operator holds in their hand (`GET /requests?find=<value>`): the
 * request id, `subject.holderId`, `subject.cardSerial`, `subject.serialNumber` (hex, any case), a
 * CN or DNS name of a P10's CSR, or the requester's email.
 *
 * The store keeps one find entry per findable value of a request, under the value's find key: the
 * value trimmed, NFKC, lower-cased, inner spaces collapsed, and a hex serial without its `0x` or
 * `:` separators. A find reads the entries of the key of what was typed, then keeps the requests
 * that match by the field's own rule (`matchesFind`): holder ids and card serials exactly, serials
 * as hex numbers written in any case, CNs as DN values compare (dn.ts), DNS names and emails in any case.
 */
import { foldValue, parseDn } from './dn';
import type { ApprovalRequest } from './model';

/** At most this many find entries per request (a CSR may carry many names). */
export const MAX_FIND_VALUES = 20;
/** The longest value a find accepts; longer values of a request are not findable. */
export const MAX_FIND_LENGTH = 256;
const COMMON_NAME = '2.5.4.3';
const COLON_HEX = /^[0-9a-f]{1,2}(:[0-9a-f]{1,2})+$/;

/** A hex serial as a number's digits: lower case, without `0x` or `:` separators. */
function hexDigits(value: string): string | undefined {
  const text = value.trim().toLowerCase();
  if (COLON_HEX.test(text)) return text.replace(/:/g, '');
  const digits = text.replace(/^0x/, '');
  return /^[0-9a-f]+$/.test(digits) ? digits : undefined;
}

/** The find key of a value: what its find entries are stored under and what a find reads. */
export function findKey(value: string): string {
  const folded = foldValue(value);
  return hexDigits(folded) ?? folded;
}

/** A request's findable values by field (the request id is found by its key, not by an entry). */
function findableFields(request: ApprovalRequest): Array<{ field: 'exact' | 'hex' | 'name' | 'caseless'; value: string }> {
  const subject = request.subject;
  const fields: Array<{ field: 'exact' | 'hex' | 'name' | 'caseless'; value: string }> = [];
  for (const name of ['holderId', 'cardSerial'] as const) {
    const value = subject[name];
    if (typeof value === 'string' && value.trim()) fields.push({ field: 'exact', value: value.trim() });
  }
  if (typeof subject.serialNumber === 'string' && hexDigits(subject.serialNumber))
    fields.push({ field: 'hex', value: subject.serialNumber });
  fields.push({ field: 'caseless', value: request.requester.email });
  if (request.csr) {
    const rdns = parseDn(request.csr.subject);
    if (typeof rdns !== 'string') {
      for (const attribute of rdns.flat()) if (attribute.type === COMMON_NAME) fields.push({ field: 'name', value: attribute.value });
    }
    for (const name of request.csr.subjectAlternativeNames) {
      if (name.startsWith('DNS:')) fields.push({ field: 'caseless', value: name.slice('DNS:'.length) });
    }
  }
  return fields;
}

/** The findable values of a request as written on it (holder, card serial, serial, requester email, CSR names). */
export function findableValues(request: ApprovalRequest): string[] {
  return findableFields(request).map(({ value }) => value);
}

/** The distinct find keys of a request's values, at most MAX_FIND_VALUES, each at most MAX_FIND_LENGTH long. */
export function findKeys(request: ApprovalRequest): string[] {
  const keys = new Set<string>();
  for (const { value } of findableFields(request)) {
    const key = findKey(value);
    if (key && key.length <= MAX_FIND_LENGTH) keys.add(key);
    if (keys.size === MAX_FIND_VALUES) break;
  }
  return [...keys];
}

/** Whether `value` finds the request: its id exactly, or one of its findable values by that field's rule. */
export function matchesFind(request: ApprovalRequest, value: string): boolean {
  const typed = value.trim();
  if (typed === request.id) return true;
  return findableFields(request).some(({ field, value: held }) => {
    if (field === 'exact') return held === typed;
    if (field === 'hex') return hexDigits(held) === hexDigits(typed);
    if (field === 'name') return held === foldValue(typed);
    return held.trim().toLowerCase() === typed.toLowerCase();
  });
}
