import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { EXPORT_COLUMNS, type ExportRow, exportRow, neutralise, toCsv, toJsonLines } from '../../../functions/domain/export';
import { pendingRequest } from '../../helpers/memory/requests';

/** What a spreadsheet would run as a formula: a first character (or first after spaces) among = + - @ and their full-width forms, or a leading tab or CR. */
const STARTS_FORMULA = /^[\s\u00a0\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r]/;

const row = (overrides: Partial<ExportRow> = {}): ExportRow => ({
  ...exportRow(pendingRequest()),
  ...overrides,
});

const readBack = (csv: string) => parse(csv, { relax_column_count: false }) as string[][];

describe('formula injection', () => {
  test.each([
    ['=HYPERLINK("http://x","click")', `'=HYPERLINK("http://x","click")`],
    ['+1+2', `'+1+2`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1:A2)', `'@SUM(A1:A2)`],
    ['\t=1', `'\t=1`],
    ['\r=1', `'\r=1`],
    ['  =1+1', `'  =1+1`],
    ['\uFF1D1+1', `'\uFF1D1+1`],
    ['plain reason', 'plain reason'],
    ['a=b', 'a=b'],
    ["'=already quoted", "'=already quoted"],
  ])('the cell %j is written as %j', (value, expected) => {
    expect(neutralise(value)).toBe(expected);
    const [, record] = readBack(toCsv([row({ reason: value })], true));
    expect(record?.[EXPORT_COLUMNS.indexOf('reason')]).toBe(expected);
  });

  test('property: no cell of the output starts a formula, and each reads back as written or with one leading quote', () => {
    const text = fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '"', ',', ' ', 'a', '1', '\uFF1D', "'", 'é') });
    fc.assert(
      fc.property(fc.array(fc.record({ reason: text, requester: text, decidedBy: text, stage: text }), { maxLength: 5 }), (values) => {
        const rows = values.map((value) =>
          row({
            reason: value.reason,
            requester: value.requester,
            decidedBy: value.decidedBy,
            stages: [{ name: value.stage, status: 'active', requiredApprovals: 1, approvedBy: [] }],
          }),
        );
        const records = readBack(toCsv(rows, true));
        expect(records).toHaveLength(rows.length + 1);
        for (const record of records) {
          expect(record).toHaveLength(EXPORT_COLUMNS.length);
          for (const cell of record) expect(STARTS_FORMULA.test(cell)).toBe(false);
        }
        records.slice(1).forEach((record, index) => {
          const value = values[index] as { reason: string; requester: string };
          const reason = record[EXPORT_COLUMNS.indexOf('reason')];
          expect([value.reason, `'${value.reason}`]).toContain(reason);
          expect(reason).toBe(STARTS_FORMULA.test(value.reason) ? `'${value.reason}` : value.reason);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('CSV and JSON Lines', () => {
  test('RFC 4180: CRLF line ends, quotes doubled, commas and line breaks inside quoted fields', () => {
    const csv = toCsv([row({ reason: 'said "no", then\nleft' })], true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv).toContain('"said ""no"", then\nleft"');
    const [header, record] = readBack(csv);
    expect(header).toEqual([...EXPORT_COLUMNS]);
    expect(record?.[EXPORT_COLUMNS.indexOf('reason')]).toBe('said "no", then\nleft');
  });

  test('a later page has no header row', () => {
    const records = readBack(toCsv([row()], false));
    expect(records).toHaveLength(1);
    expect(records[0]?.[0]).toBe(pendingRequest().id);
  });

  test('a row names the outcome and the stages; JSON Lines keeps the stages as an array', () => {
    const request = pendingRequest({
      state: 'rejected',
      approvals: [{ by: { id: 'bob', email: 'bob@example.com' }, at: '2026-11-03T09:10:00.000Z' }],
      decision: { decision: 'rejected', by: { id: 'carol', email: 'carol@example.com' }, at: '2026-11-03T09:20:00.000Z', reason: 'no' },
      requiredApprovals: 2,
    });
    const built = exportRow(request);
    expect(built).toMatchObject({
      state: 'rejected',
      decidedBy: 'carol@example.com',
      decidedAt: '2026-11-03T09:20:00.000Z',
      reason: 'no',
      stages: [{ name: 'Approval', status: 'rejected', requiredApprovals: 2, approvedBy: ['bob@example.com'] }],
    });
    const [, record] = readBack(toCsv([built], true));
    expect(record?.[EXPORT_COLUMNS.indexOf('stages')]).toBe('Approval (rejected, 1/2: bob@example.com)');
    const lines = toJsonLines([built, built]).split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0] as string)).toEqual(built);
  });

  test('stages a request carries are exported one by one, each with the approvals of its stage', () => {
    const bob = { by: { id: 'bob', email: 'bob@example.com' }, at: '2026-11-03T09:10:00.000Z', stage: 0 };
    const carol = { by: { id: 'carol', email: 'carol@example.com' }, at: '2026-11-03T09:11:00.000Z', stage: 1 };
    const request = pendingRequest({
      approvals: [bob, carol],
      stages: [
        { name: 'Team lead', approvers: ['bob@example.com'], requiredApprovals: 1, approvals: [bob], status: 'approved' },
        {
          name: 'Security',
          approvers: ['carol@example.com', 'dave@example.com'],
          requiredApprovals: 2,
          approvals: [carol],
          status: 'active',
        },
      ],
      currentStage: 1,
    });
    expect(exportRow(request).stages).toEqual([
      { name: 'Team lead', status: 'approved', requiredApprovals: 1, approvedBy: ['bob@example.com'] },
      { name: 'Security', status: 'active', requiredApprovals: 2, approvedBy: ['carol@example.com'] },
    ]);
  });
});
