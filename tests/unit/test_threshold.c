/* test_threshold.c - --fail-on (lib/render/threshold.h): parsing "METRIC OP NUMBER",
 * resolving a metric in a report document (a full path, the totals./retries. prefix
 * left out, the end of a path, ambiguous and unknown names with suggestions, a group
 * that is not a number) and evaluating every operator, null never crossing. */
#include "lib/render/threshold.h"
#include "tests/check.h"

static const char *doc_text = "{\"totals\": {\"attempts\": 34, \"error_rate\": 0.25, \"retryable_rate\": null},"
			      " \"retries\": {\"retries\": 5, \"blind_4xx_retry_rate\": 0.147, \"rekeyed\": "
			      "{\"attempts\": 2, \"clients\": 1},"
			      "  \"backoff\": {\"checked\": 4, \"compliance_rate\": null, \"too_fast\": 1}},"
			      " \"clients\": [{\"attempts\": 9}], \"policy\": \"default\"}";

static void test_parse(void)
{
	rl_threshold t;
	rl_err err = {0};
	CHECK_INT(rl_threshold_parse("retries.blind_4xx_retry_rate>0.01", &t, &err), 0);
	CHECK_STR(t.metric, "retries.blind_4xx_retry_rate");
	CHECK_INT(t.op, RL_OP_GT);
	CHECK(t.value == 0.01);
	CHECK_INT(rl_threshold_parse(" attempts <= 1e3 ", &t, &err), 0);
	CHECK_STR(t.metric, "attempts");
	CHECK_INT(t.op, RL_OP_LE);
	CHECK(t.value == 1000);
	const char *ops[] = {"a<1", "a<=1", "a>1", "a>=1", "a==1", "a!=1"};
	const char *names[] = {"<", "<=", ">", ">=", "==", "!="};
	for (int i = 0; i < 6; i++) {
		CHECK_INT(rl_threshold_parse(ops[i], &t, &err), 0);
		CHECK_INT(t.op, i);
		CHECK_STR(rl_threshold_op_name(t.op), names[i]);
	}
	CHECK_INT(rl_threshold_parse("a=-0.5", &t, &err), RL_EUSAGE);
	const char *bad[] = {"",	   "attempts", ">1",	     "attempts>",  "attempts>x",  "attempts>1x",
			     "Attempts>1", "a b>1",    "attempts=1", "attempts!1", "attempts>inf"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		memset(&err, 0, sizeof err);
		int rc = rl_threshold_parse(bad[i], &t, &err);
		if (rc != RL_EUSAGE)
			fprintf(stderr, "parsed '%s'\n", bad[i]);
		CHECK_INT(rc, RL_EUSAGE);
		CHECK_STR(err.source, "--fail-on");
	}
	CHECK_INT(rl_threshold_parse("a>-2.5", &t, &err), 0);
	CHECK(t.value == -2.5);
}

/* Resolves text in doc: 0 with t->path, or RL_EUSAGE with the message in msg. */
static int resolve(json_t *doc, const char *text, rl_threshold *t, char *msg)
{
	rl_err err = {0};
	int rc = rl_threshold_parse(text, t, &err);
	if (!rc)
		rc = rl_threshold_resolve(t, doc, &err);
	snprintf(msg, 512, "%s", err.msg);
	return rc;
}

static void test_resolve(json_t *doc)
{
	rl_threshold t;
	char msg[512];
	CHECK_INT(resolve(doc, "totals.attempts>1", &t, msg), 0);
	CHECK_STR(t.path, "totals.attempts");
	/* the prefix left out: totals.attempts, although retries.rekeyed.attempts ends so too */
	CHECK_INT(resolve(doc, "attempts>1", &t, msg), 0);
	CHECK_STR(t.path, "totals.attempts");
	CHECK_INT(resolve(doc, "blind_4xx_retry_rate>0", &t, msg), 0);
	CHECK_STR(t.path, "retries.blind_4xx_retry_rate");
	/* retries.retries, not totals. */
	CHECK_INT(resolve(doc, "retries>0", &t, msg), 0);
	CHECK_STR(t.path, "retries.retries");
	/* the end of a path, where only one field ends so */
	CHECK_INT(resolve(doc, "compliance_rate<0.9", &t, msg), 0);
	CHECK_STR(t.path, "retries.backoff.compliance_rate");
	CHECK_INT(resolve(doc, "rekeyed.clients>0", &t, msg), 0);
	CHECK_STR(t.path, "retries.rekeyed.clients");
	/* more than one field ends so: name one */
	CHECK_INT(resolve(doc, "rekeyed.attempts>0", &t, msg), 0);
	CHECK_INT(resolve(doc, "checked>0", &t, msg), 0);
	CHECK_STR(t.path, "retries.backoff.checked");
	/* unknown: the closest names */
	CHECK_INT(resolve(doc, "blind_4xx_retry_rat>0", &t, msg), RL_EUSAGE);
	CHECK(strstr(msg, "did you mean retries.blind_4xx_retry_rate") != NULL);
	CHECK_INT(resolve(doc, "totals.atempts>0", &t, msg), RL_EUSAGE);
	CHECK(strstr(msg, "totals.attempts") != NULL);
	CHECK_INT(resolve(doc, "nothing_like_it>0", &t, msg), RL_EUSAGE);
	CHECK(strstr(msg, "no metric nothing_like_it") != NULL);
	/* arrays are tables, not metrics; groups and text are not numbers */
	CHECK_INT(resolve(doc, "clients.attempts>0", &t, msg), RL_EUSAGE);
	CHECK_INT(resolve(doc, "retries.backoff>0", &t, msg), RL_EUSAGE);
	CHECK(strstr(msg, "a group of fields") != NULL);
	CHECK_INT(resolve(doc, "backoff>0", &t, msg), RL_EUSAGE);
	CHECK_INT(resolve(doc, "policy>0", &t, msg), RL_EUSAGE);
	CHECK(strstr(msg, "not a number") != NULL);
	/* ambiguous ends */
	json_t *two = json_loads("{\"a\": {\"x\": {\"rate\": 1}}, \"b\": {\"rate\": 2}}", 0, NULL);
	CHECK_INT(resolve(two, "rate>0", &t, msg), RL_EUSAGE);
	CHECK(strstr(msg, "ambiguous (a.x.rate, b.rate)") != NULL);
	json_decref(two);
}

static void test_eval(json_t *doc)
{
	rl_threshold t;
	char msg[512];
	double v = -1;
	struct {
		const char *text;
		int want;
	} cases[] = {
		{"attempts>33", 1},	    {"attempts>34", 0},		 {"attempts>=34", 1},
		{"attempts<34", 0},	    {"attempts<=34", 1},	 {"attempts==34", 1},
		{"attempts!=34", 0},	    {"attempts!=35", 1},	 {"error_rate>0.2", 1},
		{"error_rate<0.2", 0},	    {"compliance_rate<0.9", -1}, {"retryable_rate>=0", -1},
		{"compliance_rate>=0", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		CHECK_INT(resolve(doc, cases[i].text, &t, msg), 0);
		int r = rl_threshold_eval(&t, doc, &v);
		if (r != cases[i].want)
			fprintf(stderr, "%s: %d, want %d\n", cases[i].text, r, cases[i].want);
		CHECK_INT(r, cases[i].want);
	}
	CHECK_INT(resolve(doc, "attempts>1", &t, msg), 0);
	rl_threshold_eval(&t, doc, &v);
	CHECK(v == 34);
}

int main(void)
{
	json_t *doc = json_loads(doc_text, 0, NULL);
	CHECK(doc != NULL);
	test_parse();
	test_resolve(doc);
	test_eval(doc);
	json_decref(doc);
	return check_done("threshold");
}
