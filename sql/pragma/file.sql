-- A database file: write-ahead log, fsync at checkpoints (a crash loses no commit).
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
