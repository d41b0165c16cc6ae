/**
 * The deploy-time key generator always answers CloudFormation (a custom resource that never
 * answers blocks the stack for an hour), with the fields CloudFormation requires.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { handler } from '../../../infra/custom-resources/signing-keys';

interface Received {
  method?: string;
  contentType?: string;
  body: Record<string, unknown>;
}

async function withResponseUrl(run: (url: string) => Promise<void>): Promise<Received> {
  let received: Received | undefined;
  const server = createServer((request: IncomingMessage, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      received = { method: request.method, contentType: request.headers['content-type'], body: JSON.parse(text) };
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}/presigned?X-Amz-Signature=abc`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  if (!received) throw new Error('no response reached CloudFormation');
  return received;
}

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  jest.restoreAllMocks();
});

const base = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:generator',
  StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Approvals-dev-Stateful/1',
  RequestId: 'request-1',
  LogicalResourceId: 'SigningKeysLinkKeysFirstKey',
  ResourceType: 'Custom::SigningKeySet',
};

test('a delete succeeds without touching the (retained) secret, keeping the physical id', async () => {
  const received = await withResponseUrl((ResponseURL) =>
    handler({
      ...base,
      ResponseURL,
      RequestType: 'Delete',
      PhysicalResourceId: 'signing-keys:arn:secret',
      ResourceProperties: { ServiceToken: base.ServiceToken, SecretId: 'arn:secret' },
    } as CloudFormationCustomResourceEvent),
  );
  expect(received.method).toBe('PUT');
  expect(received.contentType ?? '').toBe('');
  expect(received.body).toEqual({
    Status: 'SUCCESS',
    Reason: 'ok',
    PhysicalResourceId: 'signing-keys:arn:secret',
    StackId: base.StackId,
    RequestId: base.RequestId,
    LogicalResourceId: base.LogicalResourceId,
    NoEcho: true,
  });
});

test('a create that cannot work still answers, with FAILED and the reason', async () => {
  const received = await withResponseUrl((ResponseURL) =>
    handler({
      ...base,
      ResponseURL,
      RequestType: 'Create',
      ResourceProperties: { ServiceToken: base.ServiceToken },
    } as CloudFormationCustomResourceEvent),
  );
  expect(received.body).toMatchObject({ Status: 'FAILED', Reason: 'Error: property SecretId is required', RequestId: base.RequestId });
});
