/**
 * setTimeout holds at most 2^31-1 ms (24.8 days); a larger delay fires after 1 ms
 * (with a TimeoutOverflowWarning). A long timer re-arms itself until its deadline.
 */
const MAX_DELAY_MS = 2_147_483_647;

export interface LongTimer {
  clear(): void;
}

export function setLongTimeout(callback: () => void, delayMs: number): LongTimer {
  const deadline = Date.now() + Math.max(0, delayMs);
  let handle: NodeJS.Timeout | undefined;
  let cleared = false;
  const arm = (): void => {
    const left = deadline - Date.now();
    if (left > MAX_DELAY_MS) {
      handle = setTimeout(arm, MAX_DELAY_MS);
    } else {
      handle = setTimeout(
        () => {
          handle = undefined;
          if (!cleared) {
            cleared = true;
            callback();
          }
        },
        Math.max(0, left),
      );
    }
  };
  arm();
  return {
    clear() {
      cleared = true;
      if (handle) clearTimeout(handle);
      handle = undefined;
    },
  };
}
