-- Opens a write transaction, taking the write lock now rather than at the first write.
BEGIN IMMEDIATE;
