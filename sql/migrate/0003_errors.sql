-- 0003_errors.sql - error messages (SPEC §4, the report's errors[]).
--
-- 0001 reserved error_code but nothing wrote to it; it is made again as it is now filled
-- (lib/errors.h): type and code are '' when the body does not say them, never NULL, so
-- that the UNIQUE key holds (SQLite never finds two NULLs equal, and a row per attempt
-- would pile up). The attempts behind each row are the bucket rows of its code_id: error
-- counts are kept per minute and summed like every other attempt count.
DROP TABLE error_code;
CREATE TABLE error_code (
  id      INTEGER PRIMARY KEY,
  status  INTEGER NOT NULL,
  type    TEXT NOT NULL DEFAULT '',
  code    TEXT NOT NULL DEFAULT '',
  message TEXT NOT NULL,            -- the template ("Lead {n} not found"); "{other}" past the cap
  sample  TEXT NOT NULL DEFAULT '', -- the first message of the row as sent, cleaned
  UNIQUE (status, type, code, message)
);

-- the schema version this file brings a database to (lib/store/migrate.c checks it)
PRAGMA user_version = 3;
