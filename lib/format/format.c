/* format.c - the interface every format is used through, and the reject reasons. */
#include "lib/format/internal.h"
#include "lib/format/proxy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *rl_reject_text(rl_reject r)
{
	switch (r) {
	case RL_REJECT_NONE:
		return "ok";
	case RL_REJECT_NO_MATCH:
		return "does not match the format";
	case RL_REJECT_BAD_TIME:
		return "unreadable time";
	case RL_REJECT_NO_TIME:
		return "no time logged";
	case RL_REJECT_BAD_STATUS:
		return "status is not 0..999 or -";
	case RL_REJECT_TOO_LONG:
		return "line too long";
	case RL_REJECT_NOT_ACCESS:
		return "not an HTTP access record";
	case RL_REJECT_BAD_DOCUMENT:
		return "unreadable document";
	case RL_REJECT_PENDING:
		return "pending";
	case RL_REJECT_PARTIAL:
		return "a partial line whose end never came";
	case RL_REJECT_TOO_DEEP:
		return "JSON nested too deep";
	case RL_REJECT_TOO_COMPLEX:
		return "too much backtracking to match (a format with adjacent unquoted fields?)";
	case RL_REJECT_COUNT:
		break;
	}
	return "rejected";
}

rl_reject rl_json_failure(const char *p, size_t n, int max_depth)
{
	int depth = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (c == '"') {
			for (i++; i < n && p[i] != '"'; i++)
				i += p[i] == '\\';
		} else if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return RL_REJECT_TOO_DEEP;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		}
	}
	return RL_REJECT_NO_MATCH;
}

void rl_format_explain(rl_format *f, const char *p, size_t n, char *buf, size_t cap)
{
	if (f->ops->explain) {
		f->ops->explain(f, p, n, buf, cap);
		return;
	}
	rl_record r;
	rl_reject rj = rl_format_parse(f, p, n, &r);
	snprintf(buf, cap, "%s", rj == RL_REJECT_NONE ? "the line matches the format" : rl_reject_text(rj));
}

bool rl_format_name_is_secret(const char *name, size_t n)
{
	static const char *const words[] = {"authorization", "api-key", "api_key", "apikey", "token", "secret"};
	for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
		size_t k = strlen(words[w]);
		for (size_t i = 0; i + k <= n; i++)
			if (strncasecmp(name + i, words[w], k) == 0)
				return true;
	}
	return false;
}

const char *rl_format_name(const rl_format *f)
{
	return f->name;
}

bool rl_format_logs_forwarded_for(const rl_format *f)
{
	return f->logs_forwarded_for;
}

bool rl_format_borrowed(const rl_format *f)
{
	return f->borrowed;
}

int rl_format_parses_alone(const rl_format *f)
{
	const rl_format_ops *o = f->ops;
	if (o->finish || o->end)
		return -1;
	return !o->settled || o->settled(f);
}

bool rl_format_is_document(const rl_format *f)
{
	return f->ops->finish != NULL;
}

rl_reject rl_format_parse(rl_format *f, const char *p, size_t n, rl_record *rec)
{
	rl_record_reset(rec);
	f->borrowed = true;
	rl_reject rj = f->ops->parse(f, p, n, rec);
	if (f->proxies && rj == RL_REJECT_NONE)
		rec->addr = rl_proxy_client(f->proxies, rec->addr, rec->forwarded_for);
	return rj;
}

rl_reject rl_format_end(rl_format *f)
{
	return f->ops->end ? f->ops->end(f) : RL_REJECT_NONE;
}

rl_reject rl_format_finish(rl_format *f)
{
	return f->ops->finish ? f->ops->finish(f) : RL_REJECT_NONE;
}

int rl_format_next(rl_format *f, rl_record *rec, rl_reject *rj, long long *item)
{
	if (!f->ops->next)
		return 0;
	rl_record_reset(rec);
	int got = f->ops->next(f, rec, rj, item);
	if (f->proxies && got > 0 && *rj == RL_REJECT_NONE)
		rec->addr = rl_proxy_client(f->proxies, rec->addr, rec->forwarded_for);
	return got;
}

void rl_format_free(rl_format *f)
{
	if (!f)
		return;
	struct rl_proxy_table *t = f->proxies;
	f->ops->free(f);
	free(t);
}
