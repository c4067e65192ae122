-- The schema version the database records, and how many tables it holds (a database
-- with tables and version 0 is not ours).
SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master);
