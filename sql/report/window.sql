-- The time span of all attempts: earliest start, latest end (µs), and rejected lines.
SELECT MIN(first_us), MAX(last_us), COALESCE(SUM(rejected), 0)
FROM source;
