-- Lockstep candidates: backoff-checked retries at ms resolution without Retry-After.
SELECT round, start_us, client
FROM lockstep_candidate;
