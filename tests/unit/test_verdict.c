/* test_verdict.c - the verdict table (lib/retry/verdict.h) and every shape made from it: the
 * enum and its names, the counter masks, the client counters, and the column lists of
 * the SQL files that read (sql/report/) and write (sql/write/) them. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "lib/aggregate/clients.h"
#include "lib/base/embedded.h"
#include "lib/retry/verdict.h"
#include "tests/check.h"

/* The n-th comma-separated name after "SELECT" (or after the first "(" for an INSERT)
 * in an embedded SQL file, into buf; "" when there is none. */
static const char *column(const char *file, int n, char *buf, size_t cap)
{
	buf[0] = 0;
	const rl_embedded *e = rl_embedded_find(file);
	if (!e)
		return buf;
	const char *p = strstr(e->data, "SELECT ");
	p = p ? p + 7 : strchr(e->data, '(');
	if (!p)
		return buf;
	if (*p == '(')
		p++;
	for (int i = 0; i < n; i++) {
		p = strpbrk(p, ",)");
		if (!p || *p == ')')
			return buf;
		p++;
	}
	while (isspace((unsigned char)*p))
		p++;
	size_t k = 0;
	while (k + 1 < cap && (isalnum((unsigned char)*p) || *p == '_'))
		buf[k++] = *p++;
	buf[k] = 0;
	return buf;
}

int main(void)
{
	/* the enum and its names */
	CHECK_INT(RL_V_NONE, 0);
	CHECK_INT(RL_V_COUNT, 6);
	CHECK_STR(rl_verdict_name(RL_V_NONE), "");
	CHECK_STR(rl_verdict_name(RL_V_COMPLIANT), "compliant");
	CHECK_STR(rl_verdict_name(RL_V_TOO_FAST), "too_fast");
	CHECK_STR(rl_verdict_name(RL_V_IGNORED_RETRY_AFTER), "ignored_retry_after");
	CHECK_STR(rl_verdict_name(RL_V_OVER_MAX_RETRIES), "over_max_retries");
	CHECK_STR(rl_verdict_name(RL_V_NO_JITTER), "no_jitter");
	CHECK_STR(rl_verdict_name(RL_V_COUNT), "");
	for (int v = RL_V_COMPLIANT; v < RL_V_COUNT; v++)
		CHECK_STR(rl_retry_counter_name(RL_RC_OF_VERDICT(v)), rl_verdict_name((rl_verdict)v));

	/* the counters: four, then one per verdict; names unique */
	CHECK_INT(RL_RC_N, 4 + RL_V_COUNT - 1);
	CHECK_STR(rl_retry_counter_name(RL_RC_RETRIES), "retries");
	CHECK_STR(rl_retry_counter_name(RL_RC_BLIND_4XX), "blind_4xx");
	CHECK_STR(rl_retry_counter_name(RL_RC_CHECKED), "checked");
	CHECK(rl_retry_counter_name(RL_RC_N) == NULL);
	CHECK(rl_retry_counter_name(-1) == NULL);
	int dup = 0;
	for (int i = 0; i < RL_RC_N; i++) {
		CHECK(rl_retry_counter_help(i) && *rl_retry_counter_help(i));
		CHECK(rl_retry_counter_head(i) && *rl_retry_counter_head(i));
		for (int j = i + 1; j < RL_RC_N; j++)
			dup += strcmp(rl_retry_counter_name(i), rl_retry_counter_name(j)) == 0;
	}
	CHECK_INT(dup, 0);

	/* what one retry counts (SPEC §3), worked by hand */
	CHECK_INT(rl_retry_counts(false, false, RL_V_NONE), 1u << RL_RC_RETRIES);
	CHECK_INT(rl_retry_counts(true, true, RL_V_NONE),
		  1u << RL_RC_RETRIES | 1u << RL_RC_BLIND_4XX | 1u << RL_RC_UNSAFE);
	CHECK_INT(rl_retry_counts(false, false, RL_V_TOO_FAST),
		  1u << RL_RC_RETRIES | 1u << RL_RC_CHECKED | 1u << RL_RC_TOO_FAST);
	CHECK_INT(rl_retry_counts(false, true, RL_V_COMPLIANT),
		  1u << RL_RC_RETRIES | 1u << RL_RC_UNSAFE | 1u << RL_RC_CHECKED | 1u << RL_RC_COMPLIANT);
	CHECK_INT(rl_retry_counts(false, false, RL_V_COUNT), 1u << RL_RC_RETRIES); /* out of range: not checked */
	CHECK_INT(rl_retry_violations(false, false, RL_V_COMPLIANT), 0);
	CHECK_INT(rl_retry_violations(true, false, RL_V_COMPLIANT), 1);
	CHECK_INT(rl_retry_violations(true, true, RL_V_NO_JITTER), 3);
	CHECK_INT(rl_retry_violations(false, false, RL_V_NONE), 0);
	uint64_t v[RL_RC_N] = {0};
	rl_retry_count(v, true, false, RL_V_IGNORED_RETRY_AFTER);
	rl_retry_count(v, false, false, RL_V_NONE);
	CHECK_INT(v[RL_RC_RETRIES], 2);
	CHECK_INT(v[RL_RC_BLIND_4XX], 1);
	CHECK_INT(v[RL_RC_UNSAFE], 0);
	CHECK_INT(v[RL_RC_CHECKED], 1);
	CHECK_INT(v[RL_RC_IGNORED_RETRY_AFTER], 1);
	CHECK_INT(v[RL_RC_COMPLIANT], 0);

	/* a client's counters: attempts, the retry counters, violations, rekeyed */
	CHECK_INT(RL_CL_N, RL_RC_N + 3);
	CHECK_STR(rl_client_counter_name(RL_CL_ATTEMPTS), "attempts");
	for (int i = 0; i < RL_RC_N; i++)
		CHECK_STR(rl_client_counter_name(RL_CL_OF_RC(i)), rl_retry_counter_name(i));
	CHECK_STR(rl_client_counter_name(RL_CL_VIOLATIONS), "violations");
	CHECK_STR(rl_client_counter_name(RL_CL_REKEYED), "rekeyed");

	/* the SQL files list the columns in the table's order */
	char buf[64];
	CHECK_STR(column("sql/report/retries.sql", 1, buf, sizeof buf), "method_id");
	for (int i = 0; i < RL_RC_N; i++)
		CHECK_STR(column("sql/report/retries.sql", 2 + i, buf, sizeof buf), rl_retry_counter_name(i));
	CHECK_STR(column("sql/report/clients.sql", 1, buf, sizeof buf), "name");
	for (int i = 0; i < RL_CL_N; i++)
		CHECK_STR(column("sql/report/clients.sql", 2 + i, buf, sizeof buf), rl_client_counter_name(i));
	CHECK_STR(column("sql/report/clients.sql", 2 + RL_CL_N, buf, sizeof buf), "ev_violations");

	/* and so do the files that write them */
	CHECK_STR(column("sql/write/retry_bucket.sql", 0, buf, sizeof buf), "minute");
	CHECK_STR(column("sql/write/retry_bucket.sql", 2, buf, sizeof buf), "method_id");
	for (int i = 0; i < RL_RC_N; i++)
		CHECK_STR(column("sql/write/retry_bucket.sql", 3 + i, buf, sizeof buf), rl_retry_counter_name(i));
	CHECK_STR(column("sql/write/retry_bucket.sql", 3 + RL_RC_N, buf, sizeof buf), "");
	CHECK_STR(column("sql/write/retry_total.sql", 1, buf, sizeof buf), "method_id");
	for (int i = 0; i < RL_RC_N; i++)
		CHECK_STR(column("sql/write/retry_total.sql", 2 + i, buf, sizeof buf), rl_retry_counter_name(i));
	CHECK_STR(column("sql/write/retry_total.sql", 2 + RL_RC_N, buf, sizeof buf), "");
	CHECK_STR(column("sql/write/client.sql", 0, buf, sizeof buf), "hash");
	CHECK_STR(column("sql/write/client.sql", 1, buf, sizeof buf), "name");
	for (int i = 0; i < RL_CL_N; i++)
		CHECK_STR(column("sql/write/client.sql", 2 + i, buf, sizeof buf), rl_client_counter_name(i));
	CHECK_STR(column("sql/write/client.sql", 2 + RL_CL_N, buf, sizeof buf), "ev_violations");
	return check_done("verdict");
}
