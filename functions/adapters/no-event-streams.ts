/**
 * What the bundles hold in place of `@smithy/core/event-streams` (infra/bundling.ts): the SDK's
 * event-stream codec, about 15 KB of every bundle, which the SDK loads only to send or read an
 * operation's event stream. None of the functions' clients has such an operation
 * (test/unit/infra/bundles.spec.ts checks their schemas), so nothing here is ever called; a client
 * with one added later fails its bundle test, and its call would fail with this error.
 */
const notBundled = (): never => {
  throw new Error('event streams are not bundled: remove the @smithy/core/event-streams alias in infra/bundling.ts');
};

/** What the SDK's HttpProtocol takes from the module when an operation has an event stream. */
export class EventStreamSerde {
  constructor() {
    notBundled();
  }
}
export const eventStreamSerdeProvider = notBundled;
