import { DOCUMENTED_OPERATIONS, openApiDocument } from '../../../functions/openapi/document';
import { apiOperations } from '../../../functions/registry';
import { CRL_REASONS, KINDS } from '../../../functions/domain/kinds';

const doc = openApiDocument('https://api.example.com') as any;

test('names its server: the URL it was served from', () => {
  expect(doc.servers).toEqual([{ url: 'https://api.example.com', description: 'This deployment' }]);
  expect((openApiDocument('http://127.0.0.1:3000') as any).servers[0].url).toBe('http://127.0.0.1:3000');
});

test('a create body chooses the subject schema by kind', () => {
  const branches = doc.components.schemas.CreateRequest.allOf;
  expect(branches.map((branch: any) => branch.if.properties.kind.const)).toEqual(KINDS);
  for (const branch of branches) expect(branch.then.properties.subject.$ref).toMatch(/^#\/components\/schemas\/Subject_/);
});

test('every API operation of the registry is described, and nothing else', () => {
  expect([...DOCUMENTED_OPERATIONS].sort()).toEqual(
    apiOperations()
      .map((operation) => operation.name)
      .sort(),
  );
  for (const operation of apiOperations()) {
    for (const method of operation.methods) {
      const described = doc.paths[operation.path]?.[method.toLowerCase()];
      expect(described).toBeDefined();
      expect(described.security === undefined).toBe(operation.auth === 'jwt');
    }
  }
});

test('the body schemas are the validation schemas: required fields and limits as the contract says', () => {
  const profile = doc.components.schemas.ProfileBody;
  // approvers and requiredApprovals, or stages (domain/profile.ts refines which).
  expect(profile.required.sort()).toEqual(['expireAfter', 'name', 'remindAfter', 'requireApprovalFor']);
  expect(profile.properties.stages).toMatchObject({ minItems: 1, maxItems: 5 });
  expect(profile.properties.requiredApprovals).toMatchObject({ minimum: 1, maximum: 10 });
  expect(doc.components.schemas.CreateRequest.required.sort()).toEqual(['kind', 'profileId', 'subject']);
  expect(doc.components.schemas.Decision.properties.decision.enum).toEqual(['approve', 'reject', 'hold', 'release']);
  expect(doc.components.schemas['Subject_certificate_enroll'].required).toEqual(['method', 'subjectDn']);
  expect(doc.components.schemas['Subject_card_request_multiple'].properties.count).toMatchObject({ minimum: 1, maximum: 100 });
});

test('every $ref points at a component that exists', () => {
  const refs = JSON.stringify(doc).match(/"#\/components\/[^"]+"/g) ?? [];
  for (const refText of new Set(refs)) {
    const [, section, name] = JSON.parse(refText).split('/').slice(1);
    expect(doc.components[section]?.[name]).toBeDefined();
  }
});

test('the request answered is described by the zod schema that types it, open to more fields', () => {
  const request = doc.components.schemas.Request;
  expect(request.required.sort()).toEqual(
    [
      'approvals',
      'approvers',
      'createdAt',
      'expireAfter',
      'expiresAt',
      'id',
      'kind',
      'maxReminders',
      'onHold',
      'profileId',
      'remindAfter',
      'requester',
      'requiredApprovals',
      'state',
      'subject',
      'updatedAt',
      'version',
    ].sort(),
  );
  expect(request.properties.decision.properties.decision.enum).toEqual(['approved', 'rejected', 'expired', 'deleted']);
  expect(JSON.stringify(request)).not.toContain('"additionalProperties":false');
});

test('a revoke or lock subject documents its optional reasonCode as the RFC 5280 CRLReason names', () => {
  for (const kind of ['certificate.revoke', 'certificate.lock']) {
    const subject = doc.components.schemas[`Subject_${kind.replace('.', '_')}`];
    expect(subject.properties.reasonCode.enum).toEqual([...CRL_REASONS]);
    expect(subject.required).not.toContain('reasonCode');
  }
});
