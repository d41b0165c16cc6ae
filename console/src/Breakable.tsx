import { Fragment } from 'react';

/**
 * Long words (email addresses, DNs, host names) that may wrap at their natural joints: before `@`,
 * after `.` and `,`. Anything still too long breaks anywhere rather than widening its table.
 */
export function Breakable({ text }: { text: string }) {
  const parts = text.split(/(?=@)|(?<=[.,])/);
  return (
    <span className="breakable">
      {parts.map((part, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text, in order
        <Fragment key={index}>
          {index ? <wbr /> : null}
          {part}
        </Fragment>
      ))}
    </span>
  );
}
