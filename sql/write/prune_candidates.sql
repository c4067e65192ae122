-- prune: lockstep candidates that started before ?1 (µs).
DELETE FROM lockstep_candidate WHERE start_us < ?1;
