/**
 * Waiting for a DynamoDB Local that has not answered yet (local/dynamodb.ts): an integration file
 * waits for the run's shared instance, whose JVM starts while the first files run. One that exited
 * is reported at once with its reason, not after the minute's timeout.
 */
import { createServer } from 'node:http';
import { waitForDynamoDbLocal } from '../../../local/dynamodb';
import { freePort } from '../../../local/net';

test('a DynamoDB Local that exited is reported at once, with the reason given', async () => {
  const endpoint = `http://127.0.0.1:${await freePort()}`;
  const started = Date.now();
  await expect(waitForDynamoDbLocal(endpoint, () => 'the JVM exited (code 1)')).rejects.toThrow('the JVM exited (code 1)');
  expect(Date.now() - started).toBeLessThan(5_000);
});

test('the wait ends once the endpoint answers ListTables, after refusing connections until then', async () => {
  const port = await freePort();
  let probesBeforeUp = 0;
  const waiting = waitForDynamoDbLocal(`http://127.0.0.1:${port}`, () => {
    probesBeforeUp += 1;
    return undefined;
  });
  // Nothing listens at first: the wait keeps probing until the server below answers.
  await new Promise<void>((resolve) => {
    const check = () => (probesBeforeUp >= 2 ? resolve() : setTimeout(check, 10));
    check();
  });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ TableNames: [] }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  try {
    await expect(waiting).resolves.toBeUndefined();
  } finally {
    server.close();
  }
});
