import { HISTORY_MORE_BUTTON, historyDetails, historyNote, historyWho } from '../../../console/src/history';

describe('the history of a request as the console pages it', () => {
  // The API returns the oldest 100 entries first; its cursor leads to the newer ones (the latest decisions).
  it('calls what the button loads the newer entries, never older ones', () => {
    expect(HISTORY_MORE_BUTTON).toBe('Show newer entries');
    expect(HISTORY_MORE_BUTTON).not.toMatch(/older/i);
  });

  it('says the newest entries are not shown yet while there are more, and nothing once all are shown', () => {
    expect(historyNote(true)).toMatch(/newest entries/);
    expect(historyNote(true)).toContain(HISTORY_MORE_BUTTON);
    expect(historyNote(true)).not.toMatch(/older/i);
    expect(historyNote(false)).toBeUndefined();
  });
});

describe('a history entry of a delegate', () => {
  const dave = { id: 'dave', email: 'dave@example.com' };
  const carol = { id: 'carol', email: 'carol@example.com' };

  it('names the delegate for the approver (details.for), and leaves `for` out of the details', () => {
    const entry = { at: '2026-01-01T00:00:00.000Z', type: 'approved' as const, actor: dave, details: { for: carol, comment: 'ok' } };
    expect(historyWho(entry)).toBe('dave@example.com for carol@example.com');
    expect(historyDetails(entry)).toBe('comment: ok');
  });

  it("names the service alone on its own entries: a delegate's copy sent (`delegated`) is for the approver, not done for them", () => {
    const entry = {
      at: '2026-01-01T00:00:00.000Z',
      type: 'delegated' as const,
      actor: { id: 'workflow' },
      details: { for: carol, to: { id: 'bob', email: 'bob@example.com' }, email: 'approval' },
    };
    expect(historyWho(entry)).toBe('the service');
    expect(historyDetails(entry)).toBe(
      'for: {"id":"carol","email":"carol@example.com"}; to: {"id":"bob","email":"bob@example.com"}; email: approval',
    );
  });

  it('names the actor alone, and shows every detail, where nobody acted for another', () => {
    const entry = { at: '2026-01-01T00:00:00.000Z', type: 'held' as const, actor: carol, details: { comment: 'wait', until: '' } };
    expect(historyWho(entry)).toBe('carol@example.com');
    expect(historyDetails(entry)).toBe('comment: wait');
    expect(historyDetails({ ...entry, details: { for: 'not a person' } })).toBe('for: not a person');
  });
});
