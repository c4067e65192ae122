-- A method name, unless stored already.
INSERT INTO method(name) VALUES (?1) ON CONFLICT(name) DO NOTHING;
