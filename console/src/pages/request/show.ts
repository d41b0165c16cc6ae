/** A subject or history value as text: lists joined, objects as JSON, nothing as a dash. */
export const show = (value: unknown): string =>
  value === undefined || value === null || value === ''
    ? '-'
    : Array.isArray(value)
      ? value.map(show).join(', ')
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
