-- The private database of analyze, deleted at exit: no journal, no fsync.
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA temp_store = FILE;
