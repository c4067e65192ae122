/* nginx.c - nginx log_format strings compiled to patterns (SPEC §2).
 *
 *   --format nginx:'$remote_addr - $remote_user [$time_local] "$request" $status ...'
 *
 * The string is the log_format as written in nginx.conf: variables ($name or ${name}),
 * literals, and the backslash escapes of a quoted nginx.conf string. Each variable
 * becomes a named group of the same name (the field table, fields.c, names the ones
 * that carry a field: $msec, $time_local, $request, $status, $http_x_client_id,
 * $sent_http_retry_after …; every other variable is captured and ignored, never an
 * error). Variables whose values have a fixed shape get a pattern of that shape, which
 * keeps matching exact when neighbouring values are unquoted. A log_format that is a
 * JSON object (as written with escape=json) is read by the json format instead, each
 * key taking the field of the variable in its value. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format/fields.h"
#include "lib/format/internal.h"
#include "lib/format/layout.h"

/* The variables that carry no field but whose values have a fixed shape (those that
 * carry one have theirs in the field table, fields.c). */
static const struct {
	const char *name;
	rl_val val;
} shapes[] = {
	{"request_length", RL_VAL_INT},
	{"connection", RL_VAL_INT},
	{"connection_requests", RL_VAL_INT},
	{"pid", RL_VAL_INT},
	{"upstream_addr", RL_VAL_LIST},
	{"upstream_response_time", RL_VAL_LIST},
	{"upstream_connect_time", RL_VAL_LIST},
	{"upstream_header_time", RL_VAL_LIST},
	{"upstream_response_length", RL_VAL_LIST},
	{"upstream_bytes_received", RL_VAL_LIST},
	{"upstream_bytes_sent", RL_VAL_LIST},
	{"remote_port", RL_VAL_INT},
	{"remote_user", RL_VAL_WORD},
};

static rl_val shape_of(const char *name, size_t n)
{
	const rl_field_name *nm;
	if (rl_field_find(RL_IN_GROUP, name, n, &nm) != RL_FIELD_NONE)
		return nm->shape;
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
		if (strlen(shapes[i].name) == n && memcmp(shapes[i].name, name, n) == 0)
			return shapes[i].val;
	return RL_VAL_TEXT;
}

static bool is_var_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int rl_nginx_parse_layout(rl_layout *l, const char *fmt, rl_err *err)
{
	memset(l, 0, sizeof *l);
	const char *p = fmt;
	bool any_var = false;
	while (*p) {
		if (*p == '\\' && p[1]) {
			char c = p[1];
			char lit = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
			if (!rl_layout_literal(l, &lit, 1))
				goto full;
			p += 2;
			continue;
		}
		if (*p != '$') {
			/* from p + 1: a '\\' that ends the format is a literal (else no progress) */
			const char *q = p + 1;
			while (*q && *q != '$' && *q != '\\')
				q++;
			if (!rl_layout_literal(l, p, (size_t)(q - p)))
				goto full;
			p = q;
			continue;
		}
		const char *name = p + 1, *end;
		bool braced = *name == '{';
		if (braced) {
			name++;
			end = strchr(name, '}');
			if (!end)
				return rl_err_set(err, RL_EUSAGE, "--format", 0,
						  "nginx format: '${' without '}' at '%.20s'", p);
		} else {
			end = name;
			while (is_var_char(*end))
				end++;
		}
		size_t n = (size_t)(end - name);
		if (n == 0)
			return rl_err_set(err, RL_EUSAGE, "--format", 0,
					  "nginx format: '$' without a variable name at '%.20s'", p);
		const char *after = braced ? end + 1 : end;
		if (!rl_layout_field(l, name, n, shape_of(name, n), p, (size_t)(after - p)))
			goto full;
		any_var = true;
		p = after;
	}
	if (!any_var)
		return rl_err_set(err, RL_EUSAGE, "--format", 0, "nginx format '%.60s' has no $variable", fmt);
	return 0;
full:
	return rl_err_set(err, RL_EUSAGE, "--format", 0, "nginx format has more than %d items", RL_LAYOUT_MAX);
}

/* --- escape=json templates ---------------------------------------------------- */

#define MAX_JSON_FIELDS 32
#define MAX_DEPTH 8 /* jscan's path steps: members deeper than this are left out */
#define MAX_KEY 256

typedef struct tpl_fields {
	char store[MAX_JSON_FIELDS][MAX_DEPTH * (MAX_KEY + 4) + 32]; /* "time=req.ts:end" */
	const char *field[MAX_JSON_FIELDS];
	int rank[MAX_JSON_FIELDS];
	size_t n;
} tpl_fields;

/* A value that is exactly one variable ("$msec", "${msec}", or unquoted $status):
 * its name in *v, its length in *vn. */
static bool one_variable(const char *p, size_t n, const char **v, size_t *vn)
{
	if (n < 2 || p[0] != '$')
		return false;
	size_t i = 1;
	bool braced = p[1] == '{';
	i += braced;
	size_t s = i;
	while (i < n && is_var_char(p[i]))
		i++;
	if (i == s)
		return false;
	*v = p + s;
	*vn = i - s;
	if (braced && (i >= n || p[i++] != '}'))
		return false;
	return i == n;
}

/* Appends one key to a jscan path: plain, or ["key"] when it holds '.', '[' or ':' (a
 * dot would split it, a colon would read as a unit). */
static void path_step(char *path, size_t cap, const char *key, bool first)
{
	size_t o = strlen(path);
	if (strpbrk(key, ".[:"))
		snprintf(path + o, cap - o, "[\"%s\"]", key);
	else
		snprintf(path + o, cap - o, "%s%s", first ? "" : ".", key);
}

/* Notes that the member at keys[0..depth) + key holds variable v. */
static void tpl_add(tpl_fields *t, char keys[][MAX_KEY], size_t depth, const char *key, const char *v, size_t vn)
{
	/* the field a variable feeds and its rank: where two variables feed one field, the
	 * one first in the field's row wins ($msec over $time_local, SPEC §3.1.1) */
	const rl_field_name *nm;
	rl_field fd = rl_field_find(RL_IN_TEMPLATE, v, vn, &nm);
	if (fd == RL_FIELD_NONE)
		return;
	const char *field = rl_fields[fd].name;
	int rank = (int)(nm - rl_fields[fd].names);
	size_t k = 0;
	while (k < t->n && strcmp(t->field[k], field) != 0)
		k++;
	if (k < t->n && t->rank[k] <= rank)
		return;
	if (k == t->n) {
		if (t->n == MAX_JSON_FIELDS)
			return;
		t->n++;
	}
	char path[sizeof t->store[0] - 32] = ""; /* room for "field=" and ":end" */
	for (size_t d = 0; d < depth; d++)
		path_step(path, sizeof path, keys[d], d == 0);
	path_step(path, sizeof path, key, depth == 0);
	t->field[k] = field;
	t->rank[k] = rank;
	snprintf(t->store[k], sizeof t->store[k], "%.24s=%s%s", field, path, fd == RL_FIELD_TIME ? ":end" : "");
}

/* A template's key, decoded; false for one a path cannot name (too long, a quote or a
 * backslash in it, or empty). */
static bool tpl_key(char *out, const char *s, size_t n)
{
	bool cut;
	size_t k = rl_json_unescape(out, MAX_KEY - 1, s, n, &cut);
	out[k] = 0;
	return !cut && k > 0 && !memchr(out, '"', k) && !memchr(out, '\\', k) && strlen(out) == k;
}

/* Walks an escape=json template ({"a":"$msec","req":{"u":"$request_uri"},"st":$status})
 * and notes, for each member whose value is exactly one variable, the field it feeds
 * at the member's path. Values that mix text and variables, values in arrays, and
 * members deeper than MAX_DEPTH or below a key a path cannot name are left out. */
static void tpl_walk(tpl_fields *t, const char *p)
{
	char keys[MAX_DEPTH][MAX_KEY], key[MAX_KEY] = "";
	bool nameable[MAX_DEPTH + 2] = {true, true}; /* the path to objects at level L can be written */
	bool key_ok = false, want_key = false;
	int level = 0, arrays = 0; /* objects entered (1: the top one), arrays inside them */
	while (*p) {
		char c = *p;
		/* a member of the object at this level maps when its path can be written */
		bool mappable =
			arrays == 0 && !want_key && level >= 1 && level <= MAX_DEPTH && nameable[level] && key_ok;
		if (c == '"') {
			const char *s = ++p;
			while (*p && *p != '"')
				p += (*p == '\\' && p[1]) ? 2 : 1;
			size_t n = (size_t)(p - s);
			if (*p)
				p++;
			const char *v;
			size_t vn;
			if (arrays == 0 && want_key) {
				key_ok = tpl_key(key, s, n);
				want_key = false;
			} else if (mappable && one_variable(s, n, &v, &vn)) {
				tpl_add(t, keys, (size_t)level - 1, key, v, vn);
			}
			continue;
		}
		if (c == '$') {
			/* an unquoted variable: $name or ${name}, nothing more */
			const char *s = p++;
			if (*p == '{') {
				while (*p && *p != '}')
					p++;
				if (*p)
					p++;
			} else {
				while (is_var_char(*p))
					p++;
			}
			const char *v;
			size_t vn;
			if (mappable && one_variable(s, (size_t)(p - s), &v, &vn))
				tpl_add(t, keys, (size_t)level - 1, key, v, vn);
			continue;
		}
		if (c == '{' && arrays == 0) {
			if (level >= 1 && level <= MAX_DEPTH) {
				memcpy(keys[level - 1], key, sizeof key);
				nameable[level + 1] = nameable[level] && key_ok;
			}
			level++;
			want_key = true;
		} else if (c == '}' && arrays == 0) {
			level -= level > 0;
			key_ok = true;
		} else if (c == '[') {
			arrays++;
		} else if (c == ']' && arrays > 0) {
			arrays--;
		} else if (c == ',' && arrays == 0) {
			want_key = true;
		}
		p++;
	}
}

/* The json format with the template's fields; the user's own --field come after and
 * win. */
static int json_template_fields(rl_format **out, const tpl_fields *tf, const rl_format_opts *opts, rl_err *err)
{
	const char *fields[MAX_JSON_FIELDS + RL_FORMAT_FIELDS_MAX];
	for (size_t i = 0; i < tf->n; i++)
		fields[i] = tf->store[i];
	size_t nuser = opts ? opts->nfields : 0;
	if (nuser > RL_FORMAT_FIELDS_MAX)
		nuser = RL_FORMAT_FIELDS_MAX;
	for (size_t i = 0; i < nuser; i++)
		fields[tf->n + i] = opts->fields[i];
	rl_format_opts o = {.fields = fields, .nfields = tf->n + nuser, .client = opts ? opts->client : NULL};
	return rl_json_format_new(out, "nginx", &o, err);
}

/* An nginx log_format that is a JSON object (escape=json) read by the json format,
 * each member taking the field of the variable it holds (--field time=ts:end, …); the
 * user's own --field come after and win. */
static int json_template_format(rl_format **out, const char *tpl, const rl_format_opts *opts, rl_err *err)
{
	/* the format as nginx uses it: the escapes of its nginx.conf string undone (a
	 * template in a double-quoted string is written {\"ts\":\"$msec\"}) */
	size_t n = strlen(tpl);
	char *text = malloc(n + 1);
	tpl_fields *t = malloc(sizeof *t);
	if (!text || !t) {
		free(text);
		free(t);
		return rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	}
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = tpl[i];
		if (c == '\\' && i + 1 < n) {
			c = tpl[++i];
			c = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
		}
		text[o++] = c;
	}
	text[o] = 0;
	t->n = 0;
	tpl_walk(t, text);
	free(text);
	int rc = json_template_fields(out, t, opts, err);
	free(t);
	return rc;
}

int rl_nginx_format_new(rl_format **out, const char *log_format, const rl_format_opts *opts, rl_err *err)
{
	*out = NULL;
	const char *t = log_format;
	while (*t == ' ' || *t == '\t' || *t == '\n')
		t++;
	if (*t == '{')
		return json_template_format(out, log_format, opts, err);
	rl_layout l;
	int rc = rl_nginx_parse_layout(&l, log_format, err);
	if (rc)
		return rc;
	char name[256];
	snprintf(name, sizeof name, "nginx:'%s'", log_format);
	return rl_layout_format_new(out, name, &l, opts, err);
}

/* --- nginx.conf ------------------------------------------------------------------- */

typedef struct conf {
	const char *p, *end;
} conf;

/* The next token of an nginx config: a quoted string (its text as written), a word, or
 * one of ; { }, copied into out as far as cap allows. Comments are skipped. Returns the
 * token's whole length (more than was copied when it did not fit), -1 at the end. */
static long conf_token(conf *c, char *out, size_t cap, bool *quoted)
{
	for (;;) {
		while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
			c->p++;
		if (c->p < c->end && *c->p == '#') {
			while (c->p < c->end && *c->p != '\n')
				c->p++;
			continue;
		}
		break;
	}
	if (c->p >= c->end)
		return -1;
	size_t o = 0, len = 0; /* bytes copied, bytes the token has */
	*quoted = false;
	if (*c->p == ';' || *c->p == '{' || *c->p == '}') {
		out[o++] = *c->p++;
		len = 1;
	} else if (*c->p == '\'' || *c->p == '"') {
		char q = *c->p++;
		*quoted = true;
		/* kept as written, escapes included: the format parser reads them; an escape
		 * pair is always stepped over whole, even past what out can hold */
		while (c->p < c->end && *c->p != q) {
			size_t k = *c->p == '\\' && c->p + 1 < c->end ? 2 : 1;
			if (o + k < cap) {
				memcpy(out + o, c->p, k);
				o += k;
			}
			c->p += k;
			len += k;
		}
		if (c->p < c->end)
			c->p++;
	} else {
		/* a NUL byte is part of a word (strchr would find the set's own NUL) */
		while (c->p < c->end && (*c->p == '\0' || !strchr(" \t\r\n;{}", *c->p))) {
			if (o + 1 < cap)
				out[o++] = *c->p;
			c->p++;
			len++;
		}
	}
	out[o] = 0;
	return (long)len;
}

/* read_log_format's work, with tok (fcap bytes) for each quoted piece. */
static int read_pieces(conf *c, char *name, size_t ncap, char *fmt, size_t fcap, char *tok, const char *path,
		       rl_err *err)
{
	bool quoted;
	if (conf_token(c, name, ncap, &quoted) < 0)
		return rl_err_set(err, RL_EUSAGE, path, 0, "log_format without a name");
	size_t o = 0;
	fmt[0] = 0;
	long n;
	while ((n = conf_token(c, tok, fcap, &quoted)) >= 0 && !(n == 1 && !quoted && tok[0] == ';')) {
		if (!quoted && strncmp(tok, "escape=", 7) == 0)
			continue;
		if ((size_t)n >= fcap || o + (size_t)n + 1 > fcap)
			return rl_err_set(err, RL_EUSAGE, path, 0, "log_format %s is longer than %zu bytes", name,
					  fcap);
		memcpy(fmt + o, tok, (size_t)n + 1);
		o += (size_t)n;
	}
	return 0;
}

/* Reads the directive after "log_format": its name and the joined strings. */
static int read_log_format(conf *c, char *name, size_t ncap, char *fmt, size_t fcap, const char *path, rl_err *err)
{
	char *tok = malloc(fcap);
	int rc = tok ? read_pieces(c, name, ncap, fmt, fcap, tok, path, err)
		     : rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
	free(tok);
	return rc;
}

int rl_nginx_conf_format(char **spec, const char *path, const char *want, rl_err *err)
{
	*spec = NULL;
	FILE *f = fopen(path, "rb");
	if (!f)
		return rl_err_set(err, RL_EINPUT, path, 0, "cannot open: %s", strerror(errno));
	static const size_t cap = 4 << 20;
	char *text = malloc(cap), *fmt = malloc(65536), *found = NULL;
	size_t n = text ? fread(text, 1, cap, f) : 0;
	bool too_big = text && n == cap;
	fclose(f);
	int rc = 0;
	if (!text || !fmt) {
		rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
		goto done;
	}
	if (too_big) {
		rc = rl_err_set(err, RL_EUSAGE, path, 0, "larger than 4 MiB: not an nginx config");
		goto done;
	}
	conf c = {text, text + n};
	char tok[256], name[256], names[512] = "";
	bool quoted;
	size_t count = 0;
	while (conf_token(&c, tok, sizeof tok, &quoted) >= 0) {
		if (quoted || strcmp(tok, "log_format") != 0)
			continue;
		if ((rc = read_log_format(&c, name, sizeof name, fmt, 65536, path, err)))
			goto done;
		count++;
		snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", count > 1 ? ", " : "", name);
		if ((!want && count == 1) || (want && strcmp(name, want) == 0)) {
			free(found);
			if (!(found = malloc(strlen(fmt) + 10))) {
				rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
				goto done;
			}
			sprintf(found, "nginx:'%s'", fmt); /* quoted: the format may start with a quote */
		}
	}
	if (want && !found && strcmp(want, "combined") == 0) {
		/* nginx's predefined format */
		if (!(found = strdup("combined"))) {
			rc = rl_err_set(err, RL_ENOMEM, NULL, 0, "out of memory");
			goto done;
		}
	}
	if (!found)
		rc = rl_err_set(err, RL_EUSAGE, path, 0, "%s%s%s (log_format names here: %s)",
				want ? "no log_format named " : "no log_format", want ? want : "", "",
				count ? names : "none");
	else if (!want && count > 1)
		rc = rl_err_set(err, RL_EUSAGE, path, 0, "%zu log_formats (%s): choose one with --log-format-name",
				count, names);
done:
	free(text);
	free(fmt);
	if (rc)
		free(found);
	else
		*spec = found;
	return rc;
}
