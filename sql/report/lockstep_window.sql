-- lockstep.sql within a window: the candidates that started in [?1, ?2) (µs).
SELECT round, start_us, client
FROM lockstep_candidate
WHERE start_us >= ?1 AND start_us < ?2;
