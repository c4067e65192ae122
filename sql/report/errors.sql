-- Error messages (SPEC §6 errors[]): the attempts behind each error row over all time
-- (the bucket_total rows of its code_id), the most first, then by status and template.
-- type, code and sample are '' when absent; message "{other}" holds what came past the
-- cap of templates (lib/errors.h).
SELECT e.status, e.type, e.code, e.message, SUM(b.attempts) AS n, e.sample
FROM error_code e JOIN bucket_total b ON b.code_id = e.id
GROUP BY e.id
ORDER BY n DESC, e.status, e.message, e.type, e.code;
