/* test_policy.c - built-in policies against the seed documents, the classification
 * rules of SPEC §1, decimal fields, and policy-file errors that name the field. */
#include <stdlib.h>

#include "lib/classify/policy.h"
#include "tests/check.h"

static rl_policy load(const char *name)
{
	rl_policy p;
	rl_err err;
	memset(&p, 0, sizeof p);
	if (rl_policy_load(&p, name, &err))
		fprintf(stderr, "load %s: %s\n", name, err.msg);
	return p;
}

static int parse(const char *json, rl_policy *p, rl_err *err)
{
	return rl_policy_parse(p, json, strlen(json), "test.json", err);
}

/* Whether status is a retryable error under p (false for successes). */
static int retryable(const rl_policy *p, int status)
{
	return rl_status_is_failure(status) && rl_policy_retryable(p, status);
}

static void test_leadey(void)
{
	/* seeds/000: 200 201 success; 400 401 402 403 404 never retried blindly; 429 and 5xx
	 * retryable, only for idempotent GET; no idempotency header named */
	rl_policy p = load("leadey");
	CHECK_STR(p.name, "leadey");
	CHECK(!rl_status_is_failure(200));
	CHECK(!rl_status_is_failure(201));
	int non[] = {400, 401, 402, 403, 404};
	for (size_t i = 0; i < sizeof non / sizeof non[0]; i++)
		CHECK_INT(retryable(&p, non[i]), 0);
	CHECK_INT(retryable(&p, 429), 1);
	for (int s = 500; s <= 599; s++)
		CHECK_INT(retryable(&p, s), 1);
	CHECK(rl_policy_method_safe(&p, "GET", 3));
	CHECK(!rl_policy_method_safe(&p, "PUT", 3));
	CHECK(!rl_policy_method_safe(&p, "HEAD", 4));
	CHECK_STR(p.idempotency_header, "");
	CHECK(!p.has_backoff);
	CHECK_INT(p.max_retries, 5);
	CHECK(!p.require_jitter);
}

static void test_leaperone(void)
{
	/* seeds/004: 400 401 402 404 410 no; 429 yes (Retry-After); 500 yes (backoff) */
	rl_policy p = load("leaperone");
	int non[] = {400, 401, 402, 404, 410};
	for (size_t i = 0; i < sizeof non / sizeof non[0]; i++)
		CHECK_INT(retryable(&p, non[i]), 0);
	CHECK_INT(retryable(&p, 429), 1);
	CHECK_INT(retryable(&p, 500), 1);
	CHECK_INT(retryable(&p, 503), 1);
	CHECK(p.has_backoff);
	CHECK_INT(p.base_ms, 1000);
	CHECK_INT(p.factor, 2 * RL_DEC_ONE);
	CHECK_INT(p.cap_ms, 30000);
	CHECK_INT(p.jitter, RL_JITTER_ADD);
	CHECK_INT(p.jitter_lo, 0);
	CHECK_INT(p.jitter_hi, 1000 * RL_DEC_ONE);
	CHECK_INT(p.max_retries, 5);
	CHECK(p.require_jitter);
	CHECK(p.honor_retry_after);
	/* names no methods: as default */
	CHECK(rl_policy_method_safe(&p, "PUT", 3));
	CHECK(!rl_policy_method_safe(&p, "POST", 4));
	CHECK_STR(p.idempotency_header, "Idempotency-Key");
}

static void test_default(void)
{
	rl_policy p = load("default");
	CHECK_INT(retryable(&p, 408), 1);
	CHECK_INT(retryable(&p, 429), 1);
	for (int s = 400; s <= 499; s++)
		CHECK_INT(retryable(&p, s), s == 408 || s == 429 || s == 499);
	for (int s = 500; s <= 599; s++)
		CHECK_INT(retryable(&p, s), 1);
	/* 0 (network error) and 499 (client gave up) are retryable in every policy */
	CHECK_INT(retryable(&p, 0), 1);
	CHECK_INT(retryable(&p, 499), 1);
	/* a status in neither list: retryable only if 5xx */
	CHECK_INT(retryable(&p, 600), 0);
	CHECK_INT(retryable(&p, 999), 0);
	const char *safe[] = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"};
	for (size_t i = 0; i < 6; i++)
		CHECK(rl_policy_method_safe(&p, safe[i], strlen(safe[i])));
	CHECK(!rl_policy_method_safe(&p, "POST", 4));
	CHECK(!rl_policy_method_safe(&p, "PATCH", 5));
	CHECK(!rl_policy_method_safe(&p, "get", 3));
	const char *const *names = rl_policy_builtin_names();
	int n = 0;
	for (; names[n]; n++)
		;
	CHECK(n >= 3);
}

static void test_rules(void)
{
	rl_policy p;
	rl_err err;
	/* an exact status wins over a range; 499 can be named exactly */
	CHECK_INT(parse("{\"name\":\"x\",\"retryable\":[409,\"5xx\"],\"non_retryable\":[\"4xx\",501,499,0]}", &p, &err),
		  0);
	CHECK_INT(retryable(&p, 409), 1);
	CHECK_INT(retryable(&p, 410), 0);
	CHECK_INT(retryable(&p, 501), 0);
	CHECK_INT(retryable(&p, 502), 1);
	CHECK_INT(retryable(&p, 499), 0);
	CHECK_INT(retryable(&p, 0), 0);
	/* ranges never cover 0 and 499 */
	CHECK_INT(parse("{\"name\":\"x\",\"retryable\":[],\"non_retryable\":[\"4xx\",\"5xx\"]}", &p, &err), 0);
	CHECK_INT(retryable(&p, 499), 1);
	CHECK_INT(retryable(&p, 0), 1);
	CHECK_INT(retryable(&p, 503), 0);
	/* decimals as text, exactly */
	CHECK_INT(parse("{\"name\":\"x\",\"retryable\":[429],\"backoff\":{\"base_ms\":100,\"factor\":1.6,\"cap_ms\":"
			"120000,\"jitter\":{\"kind\":\"mul\",\"lo\":0.8,\"hi\":\"1.2\"}},\"require_jitter\":true}",
			&p, &err),
		  0);
	CHECK_INT(p.factor, 1600000);
	CHECK_INT(p.jitter_lo, 800000);
	CHECK_INT(p.jitter_hi, 1200000);
	CHECK_INT(p.jitter, RL_JITTER_MUL);
	/* the policy round-trips through its JSON form */
	char *json = rl_policy_to_json(&p, false);
	rl_policy q;
	CHECK_INT(parse(json, &q, &err), 0);
	CHECK_INT(q.factor, p.factor);
	CHECK_INT(q.jitter_lo, p.jitter_lo);
	CHECK(memcmp(q.retryable_by_status, p.retryable_by_status, sizeof p.retryable_by_status) == 0);
	CHECK(strstr(json, "\"factor\":1.6") != NULL);
	free(json);
}

static void test_errors(void)
{
	rl_policy p;
	rl_err err;
	struct {
		const char *json, *field;
	} bad[] = {
		{"{\"name\":\"x\"}", "retryable"},
		{"{\"retryable\":[429]}", "name"},
		{"{\"name\":\"x\",\"retryable\":[429],\"colour\":1}", "colour"},
		{"{\"name\":\"x\",\"retryable\":[\"6xx\"]}", "retryable"},
		{"{\"name\":\"x\",\"retryable\":[1000]}", "retryable"},
		{"{\"name\":\"x\",\"retryable\":[429],\"non_retryable\":[429]}", "non_retryable"},
		{"{\"name\":\"x\",\"retryable\":[\"4xx\"],\"non_retryable\":[\"4xx\"]}", "non_retryable"},
		{"{\"name\":\"x\",\"retryable\":[429],\"backoff\":{\"base_ms\":1,\"factor\":1.1234567,\"cap_ms\":5}}",
		 "backoff.factor"},
		{"{\"name\":\"x\",\"retryable\":[429],\"backoff\":{\"base_ms\":-1,\"cap_ms\":5}}", "backoff.base_ms"},
		{"{\"name\":\"x\",\"retryable\":[429],\"backoff\":{\"base_ms\":10,\"cap_ms\":5}}", "backoff.cap_ms"},
		{"{\"name\":\"x\",\"retryable\":[429],\"backoff\":{\"cap_ms\":5}}", "backoff.base_ms"},
		{"{\"name\":\"x\",\"retryable\":[429],\"backoff\":{\"base_ms\":1,\"cap_ms\":5,\"jitter\":{\"kind\":"
		 "\"x\"}}}",
		 "backoff.jitter.kind"},
		{"{\"name\":\"x\",\"retryable\":[429],\"require_jitter\":true}", "require_jitter"},
		{"{\"name\":\"x\",\"retryable\":[429],\"backoff\":{\"base_ms\":1,\"cap_ms\":5,\"jitter\":{\"kind\":"
		 "\"none\"}},"
		 "\"require_jitter\":true}",
		 "require_jitter"},
		{"{\"name\":\"x\",\"retryable\":[429],\"max_retries\":-1}", "max_retries"},
		{"{\"name\":\"x\",\"retryable\":[429],\"honor_retry_after\":\"yes\"}", "honor_retry_after"},
		{"{\"name\":\"x\",\"retryable\":[429],\"retry_safe_methods\":[1]}", "retry_safe_methods"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rl_err_clear(&err);
		CHECK_INT(parse(bad[i].json, &p, &err), RL_EUSAGE);
		char want[80];
		snprintf(want, sizeof want, "'%s'", bad[i].field);
		if (!strstr(err.msg, want))
			fprintf(stderr, "case %zu: message \"%s\" does not name %s\n", i, err.msg, want);
		CHECK(strstr(err.msg, want) != NULL);
		CHECK_STR(err.source, "test.json");
	}
	CHECK_INT(parse("{\"name\": ", &p, &err), RL_EUSAGE);
	CHECK(strstr(err.msg, "not valid JSON") != NULL);
	CHECK_INT(rl_policy_load(&p, "/nonexistent/policy.json", &err), RL_EUSAGE);
	CHECK_STR(err.source, "/nonexistent/policy.json");
	CHECK_INT(rl_policy_load(&p, "nosuchpolicy", &err), RL_EUSAGE);
}

int main(void)
{
	test_leadey();
	test_leaperone();
	test_default();
	test_rules();
	test_errors();
	return check_done("policy");
}
