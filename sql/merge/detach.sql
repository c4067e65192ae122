-- merge/detach.sql
DETACH DATABASE src;
