/*
 * Bounds Step Functions puts on numbers in a definition. A timer of at most 99,999,999 s
 * (about 3 years 2 months) keeps every fire time a valid date and a safe integer of
 * milliseconds, whatever the clock says now.
 */

/** The longest Wait, task timeout, heartbeat, retry interval or delay, in seconds. */
export const MAX_TIMER_SECONDS = 99_999_999;

/** The most retries a retrier may make. */
export const MAX_RETRY_ATTEMPTS = 99_999_999;
