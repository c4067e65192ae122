/* classify/policy.c - policy JSON in and out, and the derived classification table. */
#include "lib/classify/policy.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/embedded.h"

#define PREFIX "lib/policies/"

const char *const *rl_policy_builtin_names(void)
{
	static const char *names[32];
	static char store[32][64];
	if (!names[0]) {
		size_t k = 0;
		for (const rl_embedded *e = rl_embedded_files; e->name && k < 31; e++) {
			size_t pl = strlen(PREFIX), n = strlen(e->name);
			if (strncmp(e->name, PREFIX, pl) || n < pl + 6 || strcmp(e->name + n - 5, ".json"))
				continue;
			snprintf(store[k], sizeof store[k], "%.*s", (int)(n - pl - 5), e->name + pl);
			names[k] = store[k];
			k++;
		}
		names[k] = NULL;
	}
	return names;
}

/* --- parsing ------------------------------------------------------------------ */

typedef struct ctx {
	const char *source;
	rl_err *err;
} ctx;

static int field_err(ctx *c, const char *field, const char *what)
{
	return rl_err_set(c->err, RL_EUSAGE, c->source, 0, "policy field '%s': %s", field, what);
}

/* Decimal text with ≤ 6 places, ≥ 0, into fixed point. */
static bool parse_dec_text(const char *s, int64_t *out)
{
	int64_t ip = 0, fp = 0, scale = RL_DEC_ONE;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9') {
		ip = ip * 10 + (*p++ - '0');
		if (ip > 1000000000000LL)
			return false;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9') {
			if (scale == 1)
				return false; /* more than 6 places */
			scale /= 10;
			fp += (*p++ - '0') * scale;
		}
	}
	if (*p)
		return false;
	*out = ip * RL_DEC_ONE + fp;
	return true;
}

static int get_dec(ctx *c, json_t *v, const char *field, int64_t *out)
{
	char buf[64];
	if (json_is_integer(v))
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, sizeof buf, "%.15g", json_real_value(v));
	else if (json_is_string(v))
		snprintf(buf, sizeof buf, "%s", json_string_value(v));
	else
		return field_err(c, field, "expected a number");
	if (!parse_dec_text(buf, out))
		return field_err(c, field, "expected a non-negative decimal with at most 6 places");
	return 0;
}

static int get_int(ctx *c, json_t *v, const char *field, int64_t lo, int64_t hi, int64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
		char what[96];
		snprintf(what, sizeof what, "expected an integer from %lld to %lld", (long long)lo, (long long)hi);
		return field_err(c, field, what);
	}
	*out = json_integer_value(v);
	return 0;
}

static int get_bool(ctx *c, json_t *v, const char *field, bool *out)
{
	if (!json_is_boolean(v))
		return field_err(c, field, "expected true or false");
	*out = json_is_true(v);
	return 0;
}

static int parse_status_list(ctx *c, json_t *v, const char *field, int *list, size_t *n, bool *r4, bool *r5)
{
	if (!json_is_array(v))
		return field_err(c, field, "expected an array of statuses (429) and classes (\"4xx\", \"5xx\")");
	size_t i;
	json_t *x;
	json_array_foreach (v, i, x) {
		if (json_is_integer(x)) {
			json_int_t s = json_integer_value(x);
			if (s < 0 || s > 999)
				return field_err(c, field, "statuses are 0..999");
			if (*n == RL_POLICY_MAX_LIST)
				return field_err(c, field, "too many statuses (at most 64)");
			list[(*n)++] = (int)s;
		} else if (json_is_string(x) && strcmp(json_string_value(x), "4xx") == 0) {
			*r4 = true;
		} else if (json_is_string(x) && strcmp(json_string_value(x), "5xx") == 0) {
			*r5 = true;
		} else {
			return field_err(c, field, "each entry is a status number or \"4xx\" or \"5xx\"");
		}
	}
	return 0;
}

static bool in_list(const int *list, size_t n, int s)
{
	for (size_t i = 0; i < n; i++)
		if (list[i] == s)
			return true;
	return false;
}

/* SPEC §1: an exact status wins over a range; 0 and 499 are retryable unless named
 * exactly as non-retryable; other statuses in neither list are retryable only if 5xx. */
static void derive(rl_policy *p)
{
	for (int s = 0; s < 1000; s++) {
		bool r;
		if (in_list(p->retryable, p->n_retryable, s))
			r = true;
		else if (in_list(p->non_retryable, p->n_non_retryable, s))
			r = false;
		else if (s == 0 || s == 499)
			r = true;
		else if (s >= 400 && s <= 499 && (p->retryable_4xx || p->non_retryable_4xx))
			r = p->retryable_4xx;
		else if (s >= 500 && s <= 599 && (p->retryable_5xx || p->non_retryable_5xx))
			r = p->retryable_5xx;
		else
			r = s >= 500 && s <= 599;
		p->retryable_by_status[s] = r;
	}
}

static int parse_backoff(ctx *c, rl_policy *p, json_t *b)
{
	if (json_is_null(b)) {
		p->has_backoff = false;
		return 0;
	}
	if (!json_is_object(b))
		return field_err(c, "backoff", "expected an object or null");
	const char *k;
	json_t *v;
	int rc;
	int64_t x = 0;
	p->has_backoff = true;
	p->factor = 2 * RL_DEC_ONE;
	p->jitter = RL_JITTER_NONE;
	bool have_base = false, have_cap = false;
	json_object_foreach (b, k, v) {
		if (strcmp(k, "base_ms") == 0) {
			if ((rc = get_int(c, v, "backoff.base_ms", 0, 86400000, &x)))
				return rc;
			p->base_ms = x;
			have_base = true;
		} else if (strcmp(k, "factor") == 0) {
			if ((rc = get_dec(c, v, "backoff.factor", &p->factor)))
				return rc;
			if (p->factor < RL_DEC_ONE || p->factor > 100 * RL_DEC_ONE)
				return field_err(c, "backoff.factor", "expected a factor from 1 to 100");
		} else if (strcmp(k, "cap_ms") == 0) {
			if ((rc = get_int(c, v, "backoff.cap_ms", 0, 86400000, &x)))
				return rc;
			p->cap_ms = x;
			have_cap = true;
		} else if (strcmp(k, "jitter") == 0) {
			if (json_is_null(v))
				continue;
			if (!json_is_object(v))
				return field_err(c, "backoff.jitter",
						 "expected {\"kind\": \"add\"|\"mul\"|\"none\", \"lo\", \"hi\"}");
			json_t *kind = json_object_get(v, "kind");
			const char *ks = json_is_string(kind) ? json_string_value(kind) : "";
			if (strcmp(ks, "add") == 0)
				p->jitter = RL_JITTER_ADD;
			else if (strcmp(ks, "mul") == 0)
				p->jitter = RL_JITTER_MUL;
			else if (strcmp(ks, "none") == 0)
				p->jitter = RL_JITTER_NONE;
			else
				return field_err(c, "backoff.jitter.kind", "expected \"add\", \"mul\" or \"none\"");
			const char *jk;
			json_t *jv;
			json_object_foreach (v, jk, jv) {
				if (strcmp(jk, "kind") == 0)
					continue;
				if (strcmp(jk, "lo") == 0) {
					if ((rc = get_dec(c, jv, "backoff.jitter.lo", &p->jitter_lo)))
						return rc;
				} else if (strcmp(jk, "hi") == 0) {
					if ((rc = get_dec(c, jv, "backoff.jitter.hi", &p->jitter_hi)))
						return rc;
				} else {
					char f[96];
					snprintf(f, sizeof f, "backoff.jitter.%s", jk);
					return field_err(c, f, "unknown field (expected kind, lo, hi)");
				}
			}
			if (p->jitter != RL_JITTER_NONE && p->jitter_hi < p->jitter_lo)
				return field_err(c, "backoff.jitter.hi", "must not be below lo");
		} else {
			char f[96];
			snprintf(f, sizeof f, "backoff.%s", k);
			return field_err(c, f, "unknown field (expected base_ms, factor, cap_ms, jitter)");
		}
	}
	if (!have_base)
		return field_err(c, "backoff.base_ms", "missing");
	if (!have_cap)
		return field_err(c, "backoff.cap_ms", "missing");
	if (p->cap_ms < p->base_ms)
		return field_err(c, "backoff.cap_ms", "must not be below base_ms");
	return 0;
}

int rl_policy_parse(rl_policy *out, const char *text, size_t len, const char *source, rl_err *err)
{
	ctx c = {source, err};
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return rl_err_set(err, RL_EUSAGE, source, je.line, "policy is not valid JSON: %s (line %d, column %d)",
				  je.text, je.line, je.column);
	rl_policy p;
	memset(&p, 0, sizeof p);
	p.max_retries = -1;
	p.honor_retry_after = true;
	int rc = 0;
	if (!json_is_object(root)) {
		rc = rl_err_set(err, RL_EUSAGE, source, 0, "policy must be a JSON object");
		goto done;
	}
	bool have_name = false, have_retryable = false;
	const char *k;
	json_t *v;
	int64_t x = 0;
	json_object_foreach (root, k, v) {
		if (strcmp(k, "name") == 0) {
			if (!json_is_string(v) || json_string_length(v) == 0 ||
			    json_string_length(v) >= sizeof p.name) {
				rc = field_err(&c, "name", "expected a non-empty string of at most 63 bytes");
				goto done;
			}
			snprintf(p.name, sizeof p.name, "%s", json_string_value(v));
			have_name = true;
		} else if (strcmp(k, "description") == 0 || strcmp(k, "source") == 0) {
			if (!json_is_string(v)) {
				rc = field_err(&c, k, "expected a string");
				goto done;
			}
			if (strcmp(k, "description") == 0)
				snprintf(p.description, sizeof p.description, "%s", json_string_value(v));
			else
				snprintf(p.source, sizeof p.source, "%s", json_string_value(v));
		} else if (strcmp(k, "retryable") == 0) {
			if ((rc = parse_status_list(&c, v, k, p.retryable, &p.n_retryable, &p.retryable_4xx,
						    &p.retryable_5xx)))
				goto done;
			have_retryable = true;
		} else if (strcmp(k, "non_retryable") == 0) {
			if ((rc = parse_status_list(&c, v, k, p.non_retryable, &p.n_non_retryable, &p.non_retryable_4xx,
						    &p.non_retryable_5xx)))
				goto done;
		} else if (strcmp(k, "retry_safe_methods") == 0) {
			size_t i;
			json_t *m;
			if (!json_is_array(v) || json_array_size(v) > RL_POLICY_MAX_METHODS) {
				rc = field_err(&c, k, "expected an array of at most 16 method names");
				goto done;
			}
			json_array_foreach (v, i, m) {
				if (!json_is_string(m) || json_string_length(m) == 0 || json_string_length(m) > 15) {
					rc = field_err(&c, k, "each method is a string of 1 to 15 bytes");
					goto done;
				}
				snprintf(p.safe_methods[p.n_safe_methods++], 16, "%s", json_string_value(m));
			}
		} else if (strcmp(k, "idempotency_header") == 0) {
			if (json_is_null(v)) {
				p.idempotency_header[0] = 0;
			} else if (json_is_string(v) && json_string_length(v) > 0 &&
				   json_string_length(v) < sizeof p.idempotency_header) {
				snprintf(p.idempotency_header, sizeof p.idempotency_header, "%s", json_string_value(v));
			} else {
				rc = field_err(&c, k, "expected a header name or null");
				goto done;
			}
		} else if (strcmp(k, "backoff") == 0) {
			if ((rc = parse_backoff(&c, &p, v)))
				goto done;
		} else if (strcmp(k, "max_retries") == 0) {
			if (json_is_null(v)) {
				p.max_retries = -1;
			} else {
				if ((rc = get_int(&c, v, k, 0, 1000000, &x)))
					goto done;
				p.max_retries = (int)x;
			}
		} else if (strcmp(k, "honor_retry_after") == 0) {
			if ((rc = get_bool(&c, v, k, &p.honor_retry_after)))
				goto done;
		} else if (strcmp(k, "require_jitter") == 0) {
			if ((rc = get_bool(&c, v, k, &p.require_jitter)))
				goto done;
		} else {
			rc = field_err(&c, k,
				       "unknown field (expected name, description, source, retryable, non_retryable, "
				       "retry_safe_methods, idempotency_header, backoff, max_retries, "
				       "honor_retry_after, require_jitter)");
			goto done;
		}
	}
	if (!have_name) {
		rc = field_err(&c, "name", "missing");
		goto done;
	}
	if (!have_retryable) {
		rc = field_err(&c, "retryable", "missing");
		goto done;
	}
	for (size_t i = 0; i < p.n_retryable; i++)
		if (in_list(p.non_retryable, p.n_non_retryable, p.retryable[i])) {
			char what[80];
			snprintf(what, sizeof what, "status %d is also in retryable", p.retryable[i]);
			rc = field_err(&c, "non_retryable", what);
			goto done;
		}
	if ((p.retryable_4xx && p.non_retryable_4xx) || (p.retryable_5xx && p.non_retryable_5xx)) {
		rc = field_err(&c, "non_retryable", "a class is also in retryable");
		goto done;
	}
	if (p.require_jitter && (!p.has_backoff || p.jitter == RL_JITTER_NONE)) {
		rc = field_err(&c, "require_jitter", "needs backoff numbers with a jitter of kind add or mul");
		goto done;
	}
	derive(&p);
	*out = p;
done:
	json_decref(root);
	return rc;
}

int rl_policy_load(rl_policy *out, const char *name_or_path, rl_err *err)
{
	char key[256];
	snprintf(key, sizeof key, PREFIX "%s.json", name_or_path);
	const rl_embedded *e = strchr(name_or_path, '/') ? NULL : rl_embedded_find(key);
	if (e)
		return rl_policy_parse(out, e->data, e->len, name_or_path, err);
	FILE *f = fopen(name_or_path, "rb");
	if (!f)
		return rl_err_set(
			err, RL_EUSAGE, name_or_path, 0,
			"no built-in policy of that name and no such file (built-ins: see 'retrylens policies')");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > (1 << 20)) {
				free(buf);
				fclose(f);
				return rl_err_set(err, RL_EUSAGE, name_or_path, 0, "policy file larger than 1 MiB");
			}
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return rl_err_set(err, RL_ENOMEM, name_or_path, 0, "out of memory");
			}
			buf = nb;
		}
		size_t r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	fclose(f);
	int rc = rl_policy_parse(out, buf, len, name_or_path, err);
	free(buf);
	return rc;
}

bool rl_policy_method_safe(const rl_policy *p, const char *method, size_t n)
{
	for (size_t i = 0; i < p->n_safe_methods; i++)
		if (strlen(p->safe_methods[i]) == n && memcmp(p->safe_methods[i], method, n) == 0)
			return true;
	return false;
}

/* --- printing ----------------------------------------------------------------- */

static json_t *dec_json(int64_t v)
{
	if (v % RL_DEC_ONE == 0)
		return json_integer(v / RL_DEC_ONE);
	return json_real((double)v / RL_DEC_ONE);
}

static json_t *status_list(const int *list, size_t n, bool c4, bool c5)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(list[i]));
	if (c4)
		json_array_append_new(a, json_string("4xx"));
	if (c5)
		json_array_append_new(a, json_string("5xx"));
	return a;
}

char *rl_policy_to_json(const rl_policy *p, bool pretty)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(p->name));
	if (p->description[0])
		json_object_set_new(o, "description", json_string(p->description));
	if (p->source[0])
		json_object_set_new(o, "source", json_string(p->source));
	json_object_set_new(o, "retryable",
			    status_list(p->retryable, p->n_retryable, p->retryable_4xx, p->retryable_5xx));
	json_object_set_new(
		o, "non_retryable",
		status_list(p->non_retryable, p->n_non_retryable, p->non_retryable_4xx, p->non_retryable_5xx));
	json_t *m = json_array();
	for (size_t i = 0; i < p->n_safe_methods; i++)
		json_array_append_new(m, json_string(p->safe_methods[i]));
	json_object_set_new(o, "retry_safe_methods", m);
	json_object_set_new(o, "idempotency_header",
			    p->idempotency_header[0] ? json_string(p->idempotency_header) : json_null());
	if (p->has_backoff) {
		json_t *b = json_object();
		json_object_set_new(b, "base_ms", json_integer(p->base_ms));
		json_object_set_new(b, "factor", dec_json(p->factor));
		json_object_set_new(b, "cap_ms", json_integer(p->cap_ms));
		json_t *j = json_object();
		static const char *kinds[] = {"none", "add", "mul"};
		json_object_set_new(j, "kind", json_string(kinds[p->jitter]));
		if (p->jitter != RL_JITTER_NONE) {
			json_object_set_new(j, "lo", dec_json(p->jitter_lo));
			json_object_set_new(j, "hi", dec_json(p->jitter_hi));
		}
		json_object_set_new(b, "jitter", j);
		json_object_set_new(o, "backoff", b);
	} else {
		json_object_set_new(o, "backoff", json_null());
	}
	json_object_set_new(o, "max_retries", p->max_retries < 0 ? json_null() : json_integer(p->max_retries));
	json_object_set_new(o, "honor_retry_after", json_boolean(p->honor_retry_after));
	json_object_set_new(o, "require_jitter", json_boolean(p->require_jitter));
	char *s =
		json_dumps(o, (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(o);
	return s;
}
