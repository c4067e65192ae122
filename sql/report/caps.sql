-- Whether the endpoint template table hit its cap (its overflow row exists).
SELECT EXISTS (SELECT 1 FROM endpoint WHERE template = '{other}');
