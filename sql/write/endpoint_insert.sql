-- An endpoint template, unless stored already.
INSERT INTO endpoint(template) VALUES (?1) ON CONFLICT(template) DO NOTHING;
