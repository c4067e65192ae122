/* retry/evidence.c - the evidence blob and the names of step verdicts (lib/retry/evidence.h). */
#include "lib/retry/evidence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/blob.h"
#include "lib/base/text.h"

#define STR_MAX 0xffff /* rl_blob_put_str's limit */

static size_t str_len(const char *s)
{
	size_t n = strlen(s);
	return n > STR_MAX ? STR_MAX : n;
}

static size_t encode(unsigned attempts, unsigned nsteps, const char *method, const char *target,
		     const rl_evidence_step *steps, void *out, size_t cap)
{
	if (nsteps > RL_EVIDENCE_STEPS)
		nsteps = RL_EVIDENCE_STEPS;
	size_t need = 1 + 4 + 1 + 2 + str_len(method) + 2 + str_len(target) + (size_t)nsteps * RL_EVIDENCE_STEP_BYTES;
	if (need > cap)
		return need;
	rl_blob b = {out, 0, cap, true};
	rl_blob_put(&b, RL_EVIDENCE_VERSION, 1);
	rl_blob_put(&b, attempts, 4);
	rl_blob_put(&b, nsteps, 1);
	rl_blob_put_str(&b, method, str_len(method));
	rl_blob_put_str(&b, target, str_len(target));
	for (unsigned i = 0; i < nsteps; i++)
		rl_evidence_step_put(&b, &steps[i]);
	return b.n;
}

void rl_evidence_step_put(rl_blob *b, const rl_evidence_step *st)
{
	rl_blob_put(b, (uint64_t)st->start_us, 8);
	rl_blob_put(b, (uint32_t)st->wait_us, 4);
	rl_blob_put(b, (uint16_t)st->status, 2);
	rl_blob_put(b, st->verdict, 1);
	rl_blob_put(b, st->flags, 1);
}

void rl_evidence_step_get(rl_blob *b, rl_evidence_step *st)
{
	st->start_us = (int64_t)rl_blob_get(b, 8);
	st->wait_us = (int32_t)(uint32_t)rl_blob_get(b, 4);
	st->status = (int16_t)(uint16_t)rl_blob_get(b, 2);
	st->verdict = (uint8_t)rl_blob_get(b, 1);
	st->flags = (uint8_t)rl_blob_get(b, 1);
}

size_t rl_evidence_encode(const rl_evidence *ev, const char *method, void *out, size_t cap)
{
	char clean[RL_TARGET_MAX * 4 + 8];
	rl_text_clean(clean, sizeof clean, ev->target, strlen(ev->target));
	return encode(ev->attempts, ev->nsteps, method ? method : "-", clean, ev->steps, out, cap);
}

size_t rl_evidence_encode_doc(const rl_evidence_doc *d, void *out, size_t cap)
{
	return encode(d->attempts, d->nsteps, d->method, d->target, d->steps, out, cap);
}

rl_evidence_doc *rl_evidence_decode(const void *blob, size_t n, bool *damaged)
{
	if (damaged)
		*damaged = true;
	rl_blob b = {(unsigned char *)blob, 0, n, true};
	if (rl_blob_get(&b, 1) != RL_EVIDENCE_VERSION)
		return NULL;
	unsigned attempts = (unsigned)rl_blob_get(&b, 4), nsteps = (unsigned)rl_blob_get(&b, 1);
	size_t mlen = (size_t)rl_blob_get(&b, 2), mat = b.n;
	b.n += mlen;
	size_t tlen = (size_t)rl_blob_get(&b, 2), tat = b.n;
	b.n += tlen;
	if (!b.ok || nsteps > RL_EVIDENCE_STEPS || b.n > n || n - b.n != (size_t)nsteps * RL_EVIDENCE_STEP_BYTES)
		return NULL;
	if (damaged)
		*damaged = false;
	rl_evidence_doc *d = malloc(sizeof *d + mlen + 1 + tlen + 1);
	if (!d)
		return NULL;
	char *m = (char *)(d + 1), *t = m + mlen + 1;
	memcpy(m, (const char *)blob + mat, mlen);
	m[mlen] = 0;
	memcpy(t, (const char *)blob + tat, tlen);
	t[tlen] = 0;
	d->attempts = attempts;
	d->nsteps = nsteps;
	d->method = m;
	d->target = t;
	for (unsigned i = 0; i < nsteps; i++)
		rl_evidence_step_get(&b, &d->steps[i]);
	return d;
}

const char *rl_step_verdict(const rl_evidence_step *st, char *buf, size_t cap)
{
	if (st->flags & RL_STEP_FIRST) {
		snprintf(buf, cap, "first");
		return buf;
	}
	size_t o = 0;
	buf[0] = 0;
	if (st->flags & RL_STEP_BLIND)
		o += (size_t)snprintf(buf + o, cap - o, "%sblind_4xx", o ? "+" : "");
	if ((st->flags & RL_STEP_UNSAFE) && o < cap)
		o += (size_t)snprintf(buf + o, cap - o, "%sunsafe", o ? "+" : "");
	if ((st->flags & RL_STEP_CHECKED) && o < cap)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s", o ? "+" : "", rl_verdict_name((rl_verdict)st->verdict));
	if (o == 0)
		snprintf(buf, cap, "not_checked");
	return buf;
}

bool rl_step_verdict_parse(const char *s, rl_evidence_step *st)
{
	st->flags = 0;
	st->verdict = RL_V_NONE;
	if (strcmp(s, "first") == 0) {
		st->flags = RL_STEP_FIRST;
		return true;
	}
	if (strcmp(s, "not_checked") == 0)
		return true;
	/* blind_4xx, unsafe and a verdict, each at most once and in that order */
	int stage = 0;
	while (*s) {
		size_t n = strcspn(s, "+");
		if (stage < 1 && n == 9 && strncmp(s, "blind_4xx", n) == 0) {
			st->flags |= RL_STEP_BLIND;
			stage = 1;
		} else if (stage < 2 && n == 6 && strncmp(s, "unsafe", n) == 0) {
			st->flags |= RL_STEP_UNSAFE;
			stage = 2;
		} else {
			int v = RL_V_COMPLIANT;
			while (v < RL_V_COUNT && !(strlen(rl_verdict_name((rl_verdict)v)) == n &&
						   strncmp(s, rl_verdict_name((rl_verdict)v), n) == 0))
				v++;
			if (stage == 3 || v == RL_V_COUNT)
				return false;
			st->flags |= RL_STEP_CHECKED;
			st->verdict = (uint8_t)v;
			stage = 3;
		}
		s += n;
		if (*s == '+' && *++s == 0)
			return false; /* a trailing '+' */
	}
	return st->flags != 0;
}

bool rl_step_wait_ms(const rl_evidence_step *st, double *ms, bool *is_int)
{
	if (st->wait_us == INT32_MIN)
		return false;
	*is_int = st->wait_us % 1000 == 0;
	*ms = st->wait_us / 1000.0;
	return true;
}
