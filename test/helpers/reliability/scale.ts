/**
 * RELIABILITY_SCALE (default 1, the figures the issue asks for) shrinks or grows the load of the
 * reliability suite: `RELIABILITY_SCALE=0.05 npm run test:reliability` while iterating.
 */
const raw = process.env.RELIABILITY_SCALE ?? '1';
export const SCALE = Number(raw);
if (!Number.isFinite(SCALE) || SCALE <= 0) throw new Error(`RELIABILITY_SCALE must be a positive number, got ${raw}`);

/** `full` at scale 1, never below `min`. */
export const scaled = (full: number, min: number) => Math.max(min, Math.round(full * SCALE));

/** The contract's bound: no request stays `requested` more than 10 minutes past its `expiresAt`. */
export const EXPIRY_BOUND_MS = 10 * 60_000;
