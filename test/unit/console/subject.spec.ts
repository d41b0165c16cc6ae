import { OTHER_FIELDS_HEADER, subjectFields } from '../../../console/src/subject';

const labels = (fields: Array<{ label: string }>) => fields.map((field) => field.label);

describe("a request's subject as the console shows it", () => {
  it("shows the kind's own fields first, in the contract's order, whatever order the subject came in", () => {
    const { known, other } = subjectFields('card.request-multiple', { count: 3, cardProfile: 'PIV', holderId: 'h-1' });
    expect(labels(known)).toEqual(['Holder ID', 'Card profile', 'Number of cards']);
    expect(known.map((field) => field.value)).toEqual(['h-1', 'PIV', 3]);
    expect(other).toEqual([]);
  });

  it('puts keys the requester added in a group of their own, each key quoted, after the fields of the kind', () => {
    const subject = { 'Serial number': 'FAKE', 'Issuer DN': 'CN=Not the issuer', cardSerial: 'S-1', holderId: 'h-1' };
    const { known, other } = subjectFields('card.lock', subject);
    expect(labels(known)).toEqual(['Card serial', 'Holder ID']);
    expect(labels(other)).toEqual(['"Serial number"', '"Issuer DN"']);
    expect(other.map((field) => field.value)).toEqual(['FAKE', 'CN=Not the issuer']);
    expect(OTHER_FIELDS_HEADER).toMatch(/given by the requester/);
  });

  it('shows holderEmail, which the service reads for every kind (the holder never approves), with the service fields, as given', () => {
    const { known, other } = subjectFields('certificate.enroll', { method: 'P12', subjectDn: 'CN=x', holderEmail: 'bob@example.com' });
    expect(known.map((field) => field.label)).toEqual(['Enrollment method', 'Subject DN', 'Holder email (as given)']);
    expect(other).toEqual([]);
  });

  it("reads no label from Object.prototype: a key such as toString or constructor is the requester's, quoted", () => {
    const subject = JSON.parse('{"serialNumber":"0A","issuerDn":"CN=CA","toString":"x","constructor":"y","__proto__":"z"}');
    const { known, other } = subjectFields('certificate.revoke', subject);
    expect(labels(known)).toEqual(['Serial number', 'Issuer DN']);
    expect(labels(other)).toEqual(['"toString"', '"constructor"', '"__proto__"']);
    for (const field of [...known, ...other]) expect(typeof field.label).toBe('string');
  });

  it("takes a field of another kind as the requester's: a card's serialNumber is no certificate serial here", () => {
    const { known, other } = subjectFields('card.request', { holderId: 'h', cardProfile: 'c', serialNumber: '0A' });
    expect(labels(known)).toEqual(['Holder ID', 'Card profile']);
    expect(labels(other)).toEqual(['"serialNumber"']);
  });

  it("leaves an enrollment's CSR out of the table (it is shown decoded), and a revoke's optional reason in", () => {
    const enroll = subjectFields('certificate.enroll', { csr: 'PEM', subjectDn: 'CN=x', method: 'P10' });
    expect(labels(enroll.known)).toEqual(['Enrollment method', 'Subject DN']);
    expect(enroll.other).toEqual([]);
    const revoke = subjectFields('certificate.revoke', { reasonCode: 'keyCompromise', issuerDn: 'CN=CA', serialNumber: '0A' });
    expect(labels(revoke.known)).toEqual(['Serial number', 'Issuer DN', 'Reason code']);
  });
});
