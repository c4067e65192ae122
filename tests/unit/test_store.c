/* test_store.c - a round trip through the store (lib/store/store.h): rows written in a
 * transaction, summed where their key repeats, and read back through the report
 * queries and the visits; meta values; names and error rows with stable ids; a file
 * database opened twice keeps its rows and its uuid. Expected values are worked by hand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "lib/base/embedded.h"
#include "lib/base/timestamp.h"
#include "lib/retry/evidence.h"
#include "lib/store/store.h"
#include "tests/check.h"

/* The one row of a report query, its column col as an integer; -1 when it has no row. */
static int64_t one_int(rl_store *st, const char *query, int col)
{
	rl_store_query *q;
	rl_err err = {0};
	int64_t v = -1;
	if (rl_store_query_open(st, query, &q, &err))
		return -1;
	if (rl_store_query_step(q, &err) == 1)
		v = rl_store_query_int(q, col);
	rl_store_query_close(q);
	return v;
}

#define SEEN_CAP 128 /* what the visits saw, as text */

static int count_name(void *ctx, int64_t id, const char *name)
{
	char *seen = ctx;
	size_t n = strlen(seen);
	snprintf(seen + n, SEEN_CAP - n, "%lld=%s;", (long long)id, name);
	return 0;
}

static int stop_at_second(void *ctx, int64_t id, const char *name)
{
	(void)id;
	(void)name;
	int *calls = ctx;
	return ++*calls == 2 ? 7 : 0;
}

static int count_error(void *ctx, int64_t id, int status, const char *type, const char *code, const char *message)
{
	char *seen = ctx;
	size_t n = strlen(seen);
	snprintf(seen + n, SEEN_CAP - n, "%lld:%d/%s/%s/%s;", (long long)id, status, type, code, message);
	return 0;
}

struct client_sum {
	uint64_t clients, violations, attempts;
};

static int sum_client(void *ctx, uint64_t hash, uint64_t violations, uint64_t attempts)
{
	(void)hash;
	struct client_sum *s = ctx;
	s->clients++;
	s->violations += violations;
	s->attempts += attempts;
	return 0;
}

static int sum_state(void *ctx, int kind, uint64_t key, const void *blob, size_t n)
{
	int64_t *sum = ctx;
	*sum += kind * 1000 + (int64_t)key * 10 + (int64_t)n + (n ? ((const unsigned char *)blob)[0] : 0);
	return 0;
}

/* Rows of every table but the clients, written twice where the key repeats. */
static void write_rows(rl_store *st)
{
	rl_err err = {0};
	/* 40 retry totals over 4 endpoints: endpoint 1 + i % 4, retries 1 and compliant i
	 * each; 32 go in one statement, 8 one by one */
	rl_store_retry_row r[40];
	memset(r, 0, sizeof r);
	for (int i = 0; i < 40; i++) {
		r[i].minute = 100 + i;
		r[i].endpoint = 1 + (uint32_t)(i % 4);
		r[i].method = 1;
		r[i].v[RL_RC_RETRIES] = 1;
		r[i].v[RL_RC_COMPLIANT] = (uint64_t)i;
	}
	CHECK_INT(rl_store_add_retry_totals(st, r, 40, &err), 0);
	CHECK_INT(rl_store_add_retries(st, r, 40, &err), 0);

	/* bucket totals: 33 rows, status 200 and 500 by parity, 1 to 33 attempts */
	rl_store_bucket_row b[33];
	memset(b, 0, sizeof b);
	for (int i = 0; i < 33; i++) {
		b[i] = (rl_store_bucket_row){.minute = 100, .endpoint = 1, .method = 1, .status = i % 2 ? 500 : 200};
		b[i].attempts = (uint64_t)i + 1;
	}
	CHECK_INT(rl_store_add_bucket_totals(st, b, 33, &err), 0);
	CHECK_INT(rl_store_add_buckets(st, b, 33, &err), 0);

	/* latency totals: bucket 3 written twice (2 + 5), bucket 4 once (1) */
	rl_store_latency_row l[3] = {{100, 1, 1, 3, 2}, {101, 1, 1, 4, 1}, {102, 1, 1, 3, 5}};
	CHECK_INT(rl_store_add_latency_totals(st, l, 3, &err), 0);
	CHECK_INT(rl_store_add_latencies(st, l, 3, &err), 0);

	/* 34 minutes, minute 7 twice: chains 1 each, recovered 2 each, gave_up on minute 7 */
	rl_store_minute_row m[34];
	memset(m, 0, sizeof m);
	for (int i = 0; i < 34; i++) {
		m[i].minute = i < 33 ? i : 7;
		m[i].v[RL_AGG_CHAINS] = 1;
		m[i].v[RL_AGG_RECOVERED] = 2;
		m[i].v[RL_AGG_GAVE_UP] = m[i].minute == 7;
	}
	CHECK_INT(rl_store_add_minutes(st, m, 34, &err), 0);
}

static void check_rows(rl_store *st)
{
	rl_err err = {0};
	rl_store_query *q;
	CHECK_INT(rl_store_query_open(st, "sql/report/retries.sql", &q, &err), 0);
	/* endpoint e holds i = e-1, e+3, ... e+35: ten retries, compliant 10(e-1) + 180 */
	int rows = 0;
	int64_t compliant[5] = {0}, retries[5] = {0};
	while (rl_store_query_step(q, &err) == 1) {
		int64_t e = rl_store_query_int(q, 0);
		rows++;
		if (e >= 1 && e <= 4) {
			retries[e] = rl_store_query_int(q, 2 + RL_RC_RETRIES);
			compliant[e] = rl_store_query_int(q, 2 + RL_RC_COMPLIANT);
		}
	}
	rl_store_query_close(q);
	CHECK_INT(rows, 4);
	CHECK_INT(retries[1], 10);
	CHECK_INT(retries[4], 10);
	CHECK_INT(compliant[1], 180);
	CHECK_INT(compliant[2], 190);
	CHECK_INT(compliant[3], 200);
	CHECK_INT(compliant[4], 210);

	/* status 200: attempts 1 + 3 + ... + 33 = 289; status 500: 2 + 4 + ... + 32 = 272 */
	CHECK_INT(rl_store_query_open(st, "sql/report/totals.sql", &q, &err), 0);
	int64_t by_status[2] = {0};
	rows = 0;
	while (rl_store_query_step(q, &err) == 1) {
		rows++;
		by_status[rl_store_query_int(q, 2) == 500] = rl_store_query_int(q, 3);
	}
	rl_store_query_close(q);
	CHECK_INT(rows, 2);
	CHECK_INT(by_status[0], 289);
	CHECK_INT(by_status[1], 272);

	CHECK_INT(rl_store_query_open(st, "sql/report/latency.sql", &q, &err), 0);
	CHECK_INT(rl_store_query_step(q, &err), 1);
	CHECK_INT(rl_store_query_int(q, 2), 3);
	CHECK_INT(rl_store_query_int(q, 3), 7);
	CHECK_INT(rl_store_query_step(q, &err), 1);
	CHECK_INT(rl_store_query_int(q, 2), 4);
	CHECK_INT(rl_store_query_int(q, 3), 1);
	CHECK_INT(rl_store_query_step(q, &err), 0);
	rl_store_query_close(q);

	/* 34 rows, one per chain; gave_up only on minute 7, which came twice */
	CHECK_INT(one_int(st, "sql/report/chains.sql", 0), 34);
	CHECK_INT(one_int(st, "sql/report/chains.sql", 1), 68);
	CHECK_INT(one_int(st, "sql/report/chains.sql", 2), 2);
	CHECK_INT(one_int(st, "sql/report/chains.sql", 3), 0);
}

static void check_clients(rl_store *st)
{
	rl_err err = {0};
	rl_store_client_row c = {
		.hash = 42, .name = NULL, .ev_violations = 2, .ev_start = 100, .evidence = "[1]", .evidence_len = 3};
	c.v[RL_CL_ATTEMPTS] = 3;
	c.v[RL_CL_VIOLATIONS] = 2;
	CHECK_INT(rl_store_add_client(st, &c, &err), 0);
	/* as many violations, an earlier chain: its evidence wins; the name fills in */
	c.name = "alice";
	c.ev_start = 50;
	c.evidence = "[2]"; /* the store keeps the bytes it is given */
	CHECK_INT(rl_store_add_client(st, &c, &err), 0);
	/* fewer violations: the evidence stays */
	c.name = "bob";
	c.ev_violations = 1;
	c.ev_start = 10;
	c.evidence = "[3]";
	CHECK_INT(rl_store_add_client(st, &c, &err), 0);
	rl_store_client_row d = {.hash = 7};
	d.v[RL_CL_ATTEMPTS] = 5;
	CHECK_INT(rl_store_add_client(st, &d, &err), 0);

	rl_store_query *q;
	CHECK_INT(rl_store_query_open(st, "sql/report/clients.sql", &q, &err), 0);
	int rows = 0;
	while (rl_store_query_step(q, &err) == 1) {
		rows++;
		if (rl_store_query_int(q, 0) != 42)
			continue;
		CHECK_STR(rl_store_query_text(q, 1), "alice");
		CHECK_INT(rl_store_query_int(q, 2 + RL_CL_ATTEMPTS), 9);
		CHECK_INT(rl_store_query_int(q, 2 + RL_CL_VIOLATIONS), 6);
		CHECK_INT(rl_store_query_int(q, 2 + RL_CL_N), 2);
		CHECK_INT(rl_store_query_int(q, 3 + RL_CL_N), 50);
		size_t n = 0;
		const void *ev = rl_store_query_blob(q, 4 + RL_CL_N, &n);
		CHECK(ev && n == 3 && memcmp(ev, "[2]", 3) == 0);
	}
	rl_store_query_close(q);
	CHECK_INT(rows, 2);

	struct client_sum sum = {0};
	CHECK_INT(rl_store_clients_each(st, sum_client, &sum, &err), 0);
	CHECK_INT(sum.clients, 2);
	CHECK_INT(sum.violations, 6);
	CHECK_INT(sum.attempts, 14);

	/* a cap of 1 keeps the client with the most violations */
	uint64_t pruned = 0;
	CHECK_INT(rl_store_prune_clients(st, 1, &pruned, &err), 0);
	CHECK_INT(pruned, 1);
	memset(&sum, 0, sizeof sum);
	CHECK_INT(rl_store_clients_each(st, sum_client, &sum, &err), 0);
	CHECK_INT(sum.clients, 1);
	CHECK_INT(sum.attempts, 9);
	char buf[8];
	CHECK_INT(rl_store_meta_get(st, "clients_capped", buf, sizeof buf, &err), 1);
	CHECK_STR(buf, "1");
}

static void check_names(rl_store *st)
{
	rl_err err = {0};
	int64_t a = 0, b = 0, a2 = 0, get = 0;
	CHECK_INT(rl_store_name_id(st, RL_NAME_ENDPOINT, "/users/{id}", &a, &err), 0);
	CHECK_INT(rl_store_name_id(st, RL_NAME_ENDPOINT, "/orders", &b, &err), 0);
	CHECK_INT(rl_store_name_id(st, RL_NAME_ENDPOINT, "/users/{id}", &a2, &err), 0);
	CHECK_INT(rl_store_name_id(st, RL_NAME_METHOD, "GET", &get, &err), 0);
	CHECK_INT(a, 1);
	CHECK_INT(b, 2);
	CHECK_INT(a2, a);
	CHECK_INT(get, 1);
	char seen[SEEN_CAP] = "";
	CHECK_INT(rl_store_names(st, RL_NAME_ENDPOINT, count_name, seen, &err), 0);
	CHECK_STR(seen, "1=/users/{id};2=/orders;");
	int calls = 0;
	CHECK_INT(rl_store_names(st, RL_NAME_ENDPOINT, stop_at_second, &calls, &err), 7);
	CHECK_INT(calls, 2);

	rl_store_error_row e = {
		.status = 429, .type = "rate", .code = "", .message = "slow down", .sample = "slow down!"};
	int64_t id1 = 0, id2 = 0;
	CHECK_INT(rl_store_error_id(st, &e, &id1, &err), 0);
	e.sample = "another sample";
	CHECK_INT(rl_store_error_id(st, &e, &id2, &err), 0);
	CHECK_INT(id1, 1);
	CHECK_INT(id2, 1);
	seen[0] = 0;
	CHECK_INT(rl_store_errors(st, count_error, seen, &err), 0);
	CHECK_STR(seen, "1:429/rate//slow down;");
}

static void check_meta_and_state(rl_store *st)
{
	rl_err err = {0};
	char buf[16];
	CHECK_INT(rl_store_meta_get(st, "absent", buf, sizeof buf, &err), 0);
	CHECK_INT(rl_store_meta_set(st, "k", "one", &err), 0);
	CHECK_INT(rl_store_meta_set(st, "k", "two", &err), 0);
	CHECK_INT(rl_store_meta_get(st, "k", buf, sizeof buf, &err), 1);
	CHECK_STR(buf, "two");
	CHECK_INT(rl_store_meta_get(st, "k", buf, 3, &err), 1); /* cut to the buffer */
	CHECK_STR(buf, "tw");
	char *dup = NULL;
	CHECK_INT(rl_store_meta_dup(st, "k", &dup, &err), 1);
	CHECK_STR(dup, "two");
	free(dup);
	CHECK_INT(rl_store_meta_dup(st, "absent", &dup, &err), 0);
	CHECK(dup == NULL);
	int64_t v = 0;
	CHECK_INT(rl_store_meta_set_i64(st, "n", -1234567890123LL, &err), 0);
	CHECK_INT(rl_store_meta_get_i64(st, "n", &v, &err), 1);
	CHECK_INT(v, -1234567890123LL);

	/* kind 1 key 2 blob "a": 1000 + 20 + 1 + 97; kind 2 key 0 empty: 2000 */
	CHECK_INT(rl_store_state_put(st, 1, 2, "a", 1, &err), 0);
	CHECK_INT(rl_store_state_put(st, 2, 0, "", 0, &err), 0);
	int64_t sum = 0;
	CHECK_INT(rl_store_state_each(st, sum_state, &sum, &err), 0);
	CHECK_INT(sum, 3118);
	/* a blob written again replaces the one of its kind and key; a delete takes it away */
	CHECK_INT(rl_store_state_put(st, 1, 2, "b", 1, &err), 0);
	sum = 0;
	CHECK_INT(rl_store_state_each(st, sum_state, &sum, &err), 0);
	CHECK_INT(sum, 3119);
	CHECK_INT(rl_store_state_delete(st, 1, 2, &err), 0);
	CHECK_INT(rl_store_state_delete(st, 2, 0, &err), 0);
	CHECK_INT(rl_store_state_delete(st, 2, 0, &err), 0); /* absent: nothing to do */
	sum = 0;
	CHECK_INT(rl_store_state_each(st, sum_state, &sum, &err), 0);
	CHECK_INT(sum, 0);

	/* two deltas of one source: the span widens, the counts add */
	rl_store_source_delta d = {.name = "a.log", .format = "combined", .lines = 10, .rejected = 2};
	d.first_us = 500;
	d.last_us = 900;
	int64_t sid = 0, sid2 = 0;
	CHECK_INT(rl_store_add_source(st, &d, &sid, &err), 0);
	d.format = NULL;
	d.first_us = 300;
	d.last_us = INT64_MIN;
	d.rejected = 3;
	CHECK_INT(rl_store_add_source(st, &d, &sid2, &err), 0);
	CHECK_INT(sid2, sid);
	CHECK_INT(one_int(st, "sql/report/window.sql", 0), 300);
	CHECK_INT(one_int(st, "sql/report/window.sql", 1), 900);
	CHECK_INT(one_int(st, "sql/report/window.sql", 2), 5);

	int64_t run = 0;
	CHECK_INT(rl_store_run_begin(st, "test", &run, &err), 0);
	CHECK_INT(run, 1);
	CHECK_INT(rl_store_run_update(st, run, 10, 8, 5, "done", &err), 0);
	CHECK_INT(rl_store_add_reject(st, run, sid, 3, "bad", "xx", &err), 0);
	CHECK_INT(rl_store_add_candidate(st, 1, 1000, 42, &err), 0);
	CHECK_INT(rl_store_add_rekeyed_client(st, 42, 2, &err), 0);
}

/* --- prune: rows older than a time go, the all-time tables are summed again --------- */

static void check_prune(void)
{
	rl_err err = {0};
	rl_store *st = NULL;
	rl_store_opts tmp = {.temporary = true};
	CHECK_INT(rl_store_open(&st, NULL, &tmp, &err), 0);
	CHECK_INT(rl_store_begin(st, &err), 0);
	/* minute 100: 200 ×1, 500 ×2, 503 ×4; minute 101: 200 ×8, 500 ×16 */
	rl_store_bucket_row b[5] = {
		{.minute = 100, .endpoint = 1, .method = 1, .status = 200, .attempts = 1},
		{.minute = 100, .endpoint = 1, .method = 1, .status = 500, .attempts = 2},
		{.minute = 100, .endpoint = 1, .method = 1, .status = 503, .attempts = 4},
		{.minute = 101, .endpoint = 1, .method = 1, .status = 200, .attempts = 8},
		{.minute = 101, .endpoint = 1, .method = 1, .status = 500, .attempts = 16},
	};
	CHECK_INT(rl_store_add_buckets(st, b, 5, &err), 0);
	CHECK_INT(rl_store_add_bucket_totals(st, b, 5, &err), 0);
	rl_store_latency_row l[2] = {{100, 1, 1, 3, 2}, {101, 1, 1, 3, 5}};
	CHECK_INT(rl_store_add_latencies(st, l, 2, &err), 0);
	CHECK_INT(rl_store_add_latency_totals(st, l, 2, &err), 0);
	rl_store_retry_row r[2];
	memset(r, 0, sizeof r);
	for (int i = 0; i < 2; i++) {
		r[i].minute = 100 + i;
		r[i].endpoint = 1;
		r[i].method = 1;
		r[i].v[RL_RC_RETRIES] = (uint64_t)(3 + i);
		r[i].v[RL_RC_TOO_FAST] = (uint64_t)(1 + i);
	}
	CHECK_INT(rl_store_add_retries(st, r, 2, &err), 0);
	CHECK_INT(rl_store_add_retry_totals(st, r, 2, &err), 0);
	rl_store_minute_row m[2];
	memset(m, 0, sizeof m);
	m[0].minute = 100, m[1].minute = 101;
	m[0].v[RL_AGG_CHAINS] = 5, m[1].v[RL_AGG_CHAINS] = 7;
	CHECK_INT(rl_store_add_minutes(st, m, 2, &err), 0);
	int64_t t100 = 100 * RL_US_PER_MIN, t101 = 101 * RL_US_PER_MIN;
	CHECK_INT(rl_store_add_candidate(st, 1, t100 + 5, 1, &err), 0);
	CHECK_INT(rl_store_add_candidate(st, 1, t101 + 5, 2, &err), 0);
	rl_store_client_row old = {.hash = 1, .last_us = t100 + 30}, recent = {.hash = 2, .last_us = t101},
			    unknown = {.hash = 3, .last_us = INT64_MIN};
	CHECK_INT(rl_store_add_client(st, &old, &err), 0);
	CHECK_INT(rl_store_add_client(st, &recent, &err), 0);
	CHECK_INT(rl_store_add_client(st, &unknown, &err), 0);
	int64_t run = 0;
	CHECK_INT(rl_store_run_begin(st, "test", &run, &err), 0);
	CHECK_INT(rl_store_run_update(st, run, 1, 0, 1, "ok", &err), 0); /* finished now (wall clock) */
	CHECK_INT(rl_store_add_reject(st, run, 1, 1, "bad", "x", &err), 0);

	/* everything before minute 101 */
	rl_store_pruned p;
	CHECK_INT(rl_store_prune_older(st, t101, &p, &err), 0);
	CHECK_INT(p.minutes, 3 + 1 + 1 + 1);
	CHECK_INT(p.candidates, 1);
	CHECK_INT(p.clients, 1); /* the one last seen before; a row without last_us stays */
	CHECK_INT(p.samples, 0); /* its run finished after the cutoff */
	rl_store_query *q;
	int64_t by_status[3] = {0};
	int rows = 0;
	CHECK_INT(rl_store_query_open(st, "sql/report/totals.sql", &q, &err), 0);
	while (rl_store_query_step(q, &err) == 1) {
		int64_t status = rl_store_query_int(q, 2);
		by_status[status == 500 ? 1 : status == 503 ? 2 : 0] += rl_store_query_int(q, 3);
		rows++;
	}
	rl_store_query_close(q);
	CHECK_INT(rows, 2);
	CHECK_INT(by_status[0], 8);
	CHECK_INT(by_status[1], 16);
	CHECK_INT(by_status[2], 0);
	CHECK_INT(one_int(st, "sql/report/latency.sql", 3), 5);
	CHECK_INT(one_int(st, "sql/report/retries.sql", 2 + RL_RC_RETRIES), 4);
	CHECK_INT(one_int(st, "sql/report/retries.sql", 2 + RL_RC_TOO_FAST), 2);
	CHECK_INT(one_int(st, "sql/report/chains.sql", 0), 7);
	struct client_sum sum = {0};
	CHECK_INT(rl_store_clients_each(st, sum_client, &sum, &err), 0);
	CHECK_INT(sum.clients, 2);
	/* a time after the run: its sample goes; again: nothing more */
	CHECK_INT(rl_store_prune_older(st, rl_wall_us() + 60 * RL_US_PER_S, &p, &err), 0);
	CHECK_INT(p.samples, 1);
	CHECK_INT(p.clients, 1);
	CHECK_INT(one_int(st, "sql/report/totals.sql", 3), -1);
	CHECK_INT(rl_store_prune_older(st, rl_wall_us() + 60 * RL_US_PER_S, &p, &err), 0);
	CHECK_INT(p.minutes + p.candidates + p.clients + p.samples, 0);
	CHECK_INT(rl_store_commit(st, &err), 0);
	rl_store_close(st);
}

/* --- a version 4 database: client evidence as JSON, converted by migration 0005 ------ */

#define T0 1795946400000000LL /* 2026-11-29T10:00:00Z in µs */

/* Makes path a database at schema version 4 (the embedded migrations up to 0004) with
 * one client row per evidence text (NULL: a row without evidence). */
static void make_v4(const char *path, const char *const *evidence, int n)
{
	sqlite3 *db;
	CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
	for (const rl_embedded *e = rl_embedded_files; e->name; e++)
		if (strncmp(e->name, "sql/migrate/", 12) == 0 && atoi(e->name + 12) <= 4)
			CHECK_INT(sqlite3_exec(db, e->data, NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "PRAGMA user_version = 4", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_stmt *s;
	CHECK_INT(sqlite3_prepare_v2(db,
				     "INSERT INTO client(hash, violations, ev_violations, ev_start, evidence) "
				     "VALUES (?1, 1, 1, 0, ?2)",
				     -1, &s, NULL),
		  SQLITE_OK);
	for (int i = 0; i < n; i++) {
		sqlite3_bind_int(s, 1, i + 1);
		if (evidence[i])
			sqlite3_bind_text(s, 2, evidence[i], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 2);
		CHECK_INT(sqlite3_step(s), SQLITE_DONE);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* The decoded evidence of client hash; NULL when it has none. */
static rl_evidence_doc *evidence_of(rl_store *st, int64_t hash)
{
	rl_store_query *q;
	rl_err err = {0};
	rl_evidence_doc *d = NULL;
	CHECK_INT(rl_store_query_open(st, "sql/report/clients.sql", &q, &err), 0);
	while (rl_store_query_step(q, &err) == 1) {
		size_t n;
		const void *blob = rl_store_query_blob(q, 4 + RL_CL_N, &n);
		if (rl_store_query_int(q, 0) == hash && blob)
			CHECK((d = rl_evidence_decode(blob, n, NULL)) != NULL);
	}
	rl_store_query_close(q);
	return d;
}

static void remove_db(const char *path)
{
	char side[96];
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

static void check_legacy_evidence(const char *dir)
{
	char path[80], when[4][32];
	snprintf(path, sizeof path, "%s/v4.db", dir);
	/* times at the edges of rl_timestamp_format: µs, ms, a year before 1 and after 9999 */
	int64_t edge[4] = {T0 + 1, -62198755200000000LL - 1, 253402300800000000LL, 0};
	char far[1024];
	snprintf(far, sizeof far,
		 "{\"attempts\":2,\"steps\":[{\"start\":\"%s\",\"method\":\"GET\",\"target\":\"/\",\"status\":429,"
		 "\"wait_ms\":null,\"verdict\":\"first\"},{\"start\":\"%s\",\"method\":\"GET\",\"target\":\"/\","
		 "\"status\":429,\"wait_ms\":-0.001,\"verdict\":\"blind_4xx+unsafe+no_jitter\"},{\"start\":\"%s\","
		 "\"method\":\"GET\",\"target\":\"/"
		 "\",\"status\":429,\"wait_ms\":2147483.647,\"verdict\":\"not_checked\"},"
		 "{\"start\":\"%s\",\"method\":\"GET\",\"target\":\"/\",\"status\":null,\"wait_ms\":0,"
		 "\"verdict\":\"ignored_retry_after\"}]}",
		 rl_timestamp_format(edge[0], when[0]), rl_timestamp_format(edge[1], when[1]),
		 rl_timestamp_format(edge[2], when[2]), rl_timestamp_format(edge[3], when[3]));
	/* what version 4 wrote (its unit test's expected text) */
	const char *rows[] = {
		"{\"attempts\":5,\"steps\":["
		"{\"start\":\"2026-11-29T10:00:00Z\",\"method\":\"POST\",\"target\":\"/v1/leads?id=1\","
		"\"status\":503,\"wait_ms\":null,\"verdict\":\"first\"},"
		"{\"start\":\"2026-11-29T10:00:00.250500Z\",\"method\":\"POST\",\"target\":\"/v1/leads?id=1\","
		"\"status\":503,\"wait_ms\":1.5,\"verdict\":\"unsafe+too_fast\"},"
		"{\"start\":\"2026-11-29T10:00:01.250Z\",\"method\":\"POST\",\"target\":\"/v1/leads?id=1\","
		"\"status\":null,\"wait_ms\":1000,\"verdict\":\"compliant\"}]}",
		"{\"attempts\":1,\"steps\":[{\"start\":\"2026-11-29T09:59:59.999Z\",\"method\":\"-\","
		"\"target\":\"/a\\\\x01b\\\"\",\"status\":0,\"wait_ms\":null,\"verdict\":\"first\"}]}",
		NULL,
		far,
		"{\"attempts\":0,\"steps\":[]}",
	};
	make_v4(path, rows, 5);
	rl_store *st = NULL;
	rl_err err = {0};
	CHECK_INT(rl_store_open(&st, path, NULL, &err), 0);
	if (!st) {
		fprintf(stderr, "%s: %s\n", err.source, err.msg);
		return;
	}
	rl_evidence_doc *d = evidence_of(st, 1);
	CHECK(d != NULL);
	if (d) {
		rl_evidence_step want[3] = {
			{T0, INT32_MIN, 503, RL_V_NONE, RL_STEP_FIRST},
			{T0 + 250500, 1500, 503, RL_V_TOO_FAST, RL_STEP_UNSAFE | RL_STEP_CHECKED},
			{T0 + 1250000, 1000000, -1, RL_V_COMPLIANT, RL_STEP_CHECKED},
		};
		CHECK_INT(d->attempts, 5);
		CHECK_INT(d->nsteps, 3);
		CHECK_STR(d->method, "POST");
		CHECK_STR(d->target, "/v1/leads?id=1");
		CHECK(memcmp(d->steps, want, sizeof want) == 0);
	}
	free(d);
	d = evidence_of(st, 2);
	CHECK(d != NULL);
	if (d) {
		CHECK_STR(d->method, "-");
		CHECK_STR(d->target, "/a\\x01b\"");
		CHECK_INT(d->steps[0].start_us, T0 - 1000);
		CHECK_INT(d->steps[0].status, 0);
	}
	free(d);
	CHECK(evidence_of(st, 3) == NULL);
	d = evidence_of(st, 4);
	CHECK(d != NULL);
	if (d) {
		for (int i = 0; i < 4; i++)
			CHECK_INT(d->steps[i].start_us, edge[i]);
		CHECK_INT(d->steps[1].wait_us, -1);
		CHECK_INT(d->steps[1].flags, RL_STEP_BLIND | RL_STEP_UNSAFE | RL_STEP_CHECKED);
		CHECK_INT(d->steps[1].verdict, RL_V_NO_JITTER);
		CHECK_INT(d->steps[2].wait_us, INT32_MAX);
		CHECK_INT(d->steps[2].flags, 0);
		CHECK_INT(d->steps[3].wait_us, 0);
		CHECK_INT(d->steps[3].status, -1);
	}
	free(d);
	d = evidence_of(st, 5);
	CHECK(d != NULL && d->nsteps == 0 && d->attempts == 0);
	free(d);
	rl_store_close(st);
	remove_db(path);

	/* JSON no version wrote: the migration fails, names the file, changes nothing */
	const char *bad[] = {"{\"attempts\":1,\"steps\":[{\"start\":\"yesterday\",\"status\":1,\"wait_ms\":null,"
			     "\"verdict\":\"first\"}]}",
			     "[1]",
			     "{\"attempts\":1,\"steps\":[{\"start\":\"2026-11-29T10:00:00Z\",\"status\":1,"
			     "\"wait_ms\":null,\"verdict\":\"late\"}]}"};
	for (int i = 0; i < 3; i++) {
		make_v4(path, &bad[i], 1);
		st = NULL;
		memset(&err, 0, sizeof err);
		CHECK_INT(rl_store_open(&st, path, NULL, &err), RL_EDB);
		CHECK(st == NULL);
		CHECK_STR(err.source, path);
		CHECK(strstr(err.msg, "no retrylens wrote") != NULL);
		sqlite3 *db;
		sqlite3_stmt *s;
		CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
		CHECK_INT(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
		CHECK_INT(sqlite3_step(s), SQLITE_ROW);
		CHECK_INT(sqlite3_column_int(s, 0), 4);
		sqlite3_finalize(s);
		sqlite3_close(db);
		remove_db(path);
	}
}

int main(void)
{
	rl_err err = {0};
	rl_store *st = NULL;

	/* a temporary database: everything in one transaction */
	rl_store_opts tmp = {.temporary = true};
	CHECK_INT(rl_store_open(&st, NULL, &tmp, &err), 0);
	CHECK_STR(rl_store_path(st), "(temporary database)");
	CHECK_INT(rl_store_begin(st, &err), 0);
	write_rows(st);
	check_clients(st);
	check_names(st);
	check_meta_and_state(st);
	CHECK_INT(rl_store_commit(st, &err), 0);
	check_rows(st);
	rl_store_close(st);
	rl_store_close(NULL);

	/* a file database opened twice keeps its rows and its uuid */
	char dir[] = "/tmp/test_store_XXXXXX", path[64];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/t.db", dir);
	rl_store_opts must = {.must_exist = true};
	CHECK_INT(rl_store_open(&st, path, &must, &err), RL_EDB);
	CHECK_STR(err.source, path);
	CHECK(st == NULL);
	CHECK_INT(rl_store_open(&st, path, NULL, &err), 0);
	char uuid[40] = "", uuid2[40] = "";
	CHECK_INT(rl_store_meta_get(st, "uuid", uuid, sizeof uuid, &err), 1);
	CHECK_INT((int)strlen(uuid), 36);
	CHECK_INT(rl_store_begin(st, &err), 0);
	write_rows(st);
	CHECK_INT(rl_store_commit(st, &err), 0);
	rl_store_close(st);
	CHECK_INT(rl_store_open(&st, path, &must, &err), 0);
	CHECK_INT(rl_store_meta_get(st, "uuid", uuid2, sizeof uuid2, &err), 1);
	CHECK_STR(uuid2, uuid);
	check_rows(st);
	/* a rolled back transaction leaves nothing (a temporary database has no journal to
	 * roll back with) */
	CHECK_INT(rl_store_begin(st, &err), 0);
	CHECK_INT(rl_store_meta_set(st, "k", "three", &err), 0);
	rl_store_rollback(st);
	char buf[16];
	CHECK_INT(rl_store_meta_get(st, "k", buf, sizeof buf, &err), 0);
	rl_store_close(st);

	/* a directory is not a database */
	CHECK_INT(rl_store_open(&st, dir, NULL, &err), RL_EDB);
	CHECK_STR(err.source, dir);
	CHECK(strstr(err.msg, "not a regular file") != NULL);

	remove_db(path);
	check_legacy_evidence(dir);
	check_prune();
	CHECK_INT(rmdir(dir), 0);
	return check_done("store");
}
