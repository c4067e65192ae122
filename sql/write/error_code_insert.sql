-- An error row with its sample, unless stored already: a stored row keeps its first sample.
INSERT INTO error_code(status, type, code, message, sample) VALUES (?1, ?2, ?3, ?4, ?5)
ON CONFLICT(status, type, code, message) DO NOTHING;
