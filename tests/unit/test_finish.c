/* test_finish.c - the retry engine's finish (lib/retry/finish.h) and its tally: what a
 * run leaves open is judged once, as if input ended, and counted like ingest counts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/aggregate/aggregate.h"
#include "lib/ingest.h"
#include "lib/retry/finish.h"
#include "tests/check.h"

typedef struct sums {
	uint64_t rc[RL_RC_N];
	uint64_t minute[RL_AGG_NMINUTE];
} sums;

static int sum_retry(void *ctx, const rl_agg_retry *rows, size_t n)
{
	sums *s = ctx;
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < RL_RC_N; k++)
			s->rc[k] += rows[i].v[k];
	return 0;
}

static int sum_minute(void *ctx, const rl_agg_minute *rows, size_t n)
{
	sums *s = ctx;
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < RL_AGG_NMINUTE; k++)
			s->minute[k] += rows[i].v[k];
	return 0;
}

int main(void)
{
	char dir[] = "/tmp/rl-test-finish-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	char log[256], db[256];
	snprintf(log, sizeof log, "%s/access.log", dir);
	snprintf(db, sizeof db, "%s/f.db", dir);
	/* a: 503 then 200 two seconds later (one retry, recovered); b: one 503 at the end
	 * (its window is still open when input ends). All three are inside the 60 s of
	 * disorder the reader waits for, so the run saves them as waiting attempts. */
	FILE *f = fopen(log, "w");
	fputs("10.0.0.1 - - [01/Dec/2026:10:00:00 +0000] \"GET /v1/items HTTP/1.1\" 503 10 \"-\" \"a\"\n"
	      "10.0.0.1 - - [01/Dec/2026:10:00:02 +0000] \"GET /v1/items HTTP/1.1\" 200 10 \"-\" \"a\"\n"
	      "10.0.0.2 - - [01/Dec/2026:10:00:10 +0000] \"GET /v1/orders HTTP/1.1\" 503 10 \"-\" \"b\"\n",
	      f);
	fclose(f);

	rl_err err;
	rl_err_clear(&err);
	rl_store *st;
	rl_policy pol;
	CHECK_INT(rl_policy_load(&pol, "default", &err), 0);

	/* an empty database has nothing to finish */
	CHECK_INT(rl_store_open(&st, db, &(rl_store_opts){0}, &err), 0);
	rl_retry_finish fin;
	CHECK_INT(rl_retry_finish_run(&fin, st, &err), 0);
	CHECK(!fin.judged);
	rl_retry_finish_free(&fin);

	rl_ingest_opts o = {.command = "ingest", .policy = &pol, .max_lag_us = -1};
	rl_ingest *ing;
	CHECK_INT(rl_ingest_new(&ing, st, &o, &err), 0);
	const char *paths[] = {log};
	CHECK_INT(rl_ingest_run(ing, paths, 1, &err), 0);
	rl_ingest_free(ing);

	CHECK_INT(rl_retry_finish_run(&fin, st, &err), 0);
	CHECK(fin.judged);
	CHECK_STR(fin.policy, "default");
	sums s = {0};
	rl_agg_sink sink = {&s, NULL, NULL, sum_retry, sum_minute};
	CHECK_INT(rl_agg_drain(fin.work.agg, &sink), 0);
	CHECK_INT(s.minute[RL_AGG_CHAINS], 2); /* a's request and b's */
	CHECK_INT(s.rc[RL_RC_RETRIES], 1); /* a's second attempt */
	CHECK_INT(s.rc[RL_RC_BLIND_4XX], 0);
	CHECK_INT(s.minute[RL_AGG_RECOVERED], 1); /* a */
	CHECK_INT(s.minute[RL_AGG_GAVE_UP], 0);
	CHECK_INT(s.minute[RL_AGG_UNRETRIED], 0);
	CHECK_INT(fin.tally.open, 1); /* b: its window lasts past the end */
	CHECK(fin.tally.opens[0].single); /* b: one failed attempt, not retried (yet) */
	CHECK_INT(fin.tally.opens[0].minute, 29935320); /* 2026-12-01T10:00Z, of its end */
	CHECK(fin.require_jitter == pol.require_jitter);
	CHECK_INT(rl_clients_count(fin.work.clients), 1); /* only a retried */
	CHECK_INT(rl_clients_row(fin.work.clients, 0)->v[RL_CL_RETRIES], 1);
	CHECK_INT(rl_clients_row(fin.work.clients, 0)->v[RL_CL_ATTEMPTS], 0); /* counted by ingest, not again */
	rl_retry_finish_free(&fin);

	/* the finish writes nothing: a second one finds the same */
	CHECK_INT(rl_retry_finish_run(&fin, st, &err), 0);
	sums t = {0};
	sink.ctx = &t;
	CHECK_INT(rl_agg_drain(fin.work.agg, &sink), 0);
	CHECK(memcmp(&s, &t, sizeof s) == 0);
	CHECK_INT(fin.tally.open, 1);
	rl_retry_finish_free(&fin);
	rl_store_close(st);

	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return check_done("finish");
}
