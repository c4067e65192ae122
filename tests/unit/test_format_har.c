/* test_format_har.c - the HAR document format: every field of an entry, status 0 and a
 * missing response, base64 bodies, a BOM, unsorted entries, unreadable entries and
 * documents, the --client header, the auto detector, and the source plumbing a
 * one-line HAR needs (rl_source_peek, rl_source_set_max_line). */
#include <stdlib.h>
#include <unistd.h>

#include "lib/format/format.h"
#include "lib/input/source.h"
#include "lib/base/timestamp.h"
#include "tests/check.h"

#define T0 1704164645LL /* 2024-01-02T03:04:05Z */

static rl_format *fmt;
static rl_record rec;

/* A fresh har format (client: the --client header or NULL) fed doc line by line, as
 * ingest does; returns what finish() says. */
static rl_reject load(const char *client, const char *doc)
{
	rl_format_free(fmt);
	rl_format_opts o = {.client = client};
	rl_err err;
	if (rl_har_format_new(&fmt, &o, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	for (const char *p = doc; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		CHECK_INT(rl_format_parse(fmt, p, n, &rec), RL_REJECT_PENDING);
		p += n + (nl != NULL);
	}
	return rl_format_finish(fmt);
}

/* The next item: 1 with *rj and *item filled, 0 at the end. */
static int next(rl_reject *rj, long long *item)
{
	rl_record_reset(&rec);
	return rl_format_next(fmt, &rec, rj, item);
}

/* a scheme longer than the URL buffer, with user:password to drop: no overflow */
static void test_long_scheme(void)
{
	char *doc = malloc(12000), *scheme = malloc(6001);
	memset(scheme, 'a', 6000);
	scheme[6000] = 0;
	snprintf(doc, 12000,
		 "{\"log\": {\"version\": \"1.2\", \"entries\": [{\"startedDateTime\": \"2024-01-02T03:04:05Z\","
		 " \"request\": {\"method\": \"GET\", \"url\": \"%s://user:pw@host/p\"}, \"response\": {\"status\": "
		 "200}}]}}",
		 scheme);
	CHECK_INT(load(NULL, doc), RL_REJECT_NONE);
	rl_reject rj;
	long long item;
	CHECK_INT(next(&rj, &item), 1);
	CHECK_VIEW(rec.target, "host/p");
	CHECK_VIEW(rec.vhost, "host");
	free(doc);
	free(scheme);
}

static void test_fields(void)
{
	CHECK_INT(
		load(NULL,
		     "{\"log\": {\"version\": \"1.2\",\n"
		     " \"creator\": {\"name\": \"WebInspector\", \"version\": \"537.36\"},\n"
		     " \"entries\": [{\"startedDateTime\": \"2024-01-02T04:04:05.123+01:00\", \"time\": 12.5,\n"
		     "  \"request\": {\"method\": \"POST\", \"url\": "
		     "\"https://u:pw@api.example.com:8443/v1/leads?x=1#top\",\n"
		     "   \"httpVersion\": \"HTTP/1.1\", \"headers\": [{\"name\": \"user-agent\", \"value\": "
		     "\"UA/1\"},\n"
		     "    {\"name\": \"IDEMPOTENCY-KEY\", \"value\": \"k-1\"}, {\"name\": \"x-request-id\", \"value\": "
		     "\"r-1\"}]},\n"
		     "  \"response\": {\"status\": 503, \"headers\": [{\"name\": \"retry-after\", \"value\": \"2\"}],\n"
		     "   \"bodySize\": 27, \"content\": {\"size\": 99, \"text\": \"{\\\"error\\\":{}}\"}}}]}}\n"),
		RL_REJECT_NONE);
	CHECK(rl_format_is_document(fmt));
	rl_reject rj;
	long long item;
	CHECK_INT(next(&rj, &item), 1);
	CHECK_INT(rj, RL_REJECT_NONE);
	CHECK_INT(item, 1);
	CHECK_INT(rec.time_us, T0 * 1000000 + 123000);
	CHECK_INT(rec.time_res_us, 1000);
	CHECK(rec.time_is_start);
	CHECK_INT(rec.duration_us, 12500);
	CHECK_INT(rec.duration_res_us, 100);
	CHECK_INT(rl_record_end_us(&rec), T0 * 1000000 + 135500);
	CHECK_VIEW(rec.method, "POST");
	CHECK_VIEW(rec.target, "https://api.example.com:8443/v1/leads?x=1");
	CHECK_VIEW(rec.vhost, "api.example.com:8443");
	CHECK_VIEW(rec.protocol, "HTTP/1.1");
	CHECK_INT(rec.status, 503);
	CHECK_INT(rec.bytes, 27);
	CHECK_VIEW(rec.user_agent, "UA/1");
	CHECK_VIEW(rec.idempotency_key, "k-1");
	CHECK_VIEW(rec.request_id, "r-1");
	CHECK_VIEW(rec.retry_after, "2");
	CHECK_VIEW(rec.client_id, "har:WebInspector 537.36");
	CHECK(!rec.client_is_secret);
	CHECK_VIEW(rec.body, "{\"error\":{}}");
	CHECK_VIEW(rec.addr, NULL);
	CHECK_INT(rec.attempt, 0);
	CHECK_INT(next(&rj, &item), 0);
	CHECK_INT(next(&rj, &item), 0);
}

/* "time" is the text the writer printed, read with integers. */
static void test_durations(void)
{
	CHECK_INT(load(NULL,
		       "{\"log\":{\"entries\":[\n"
		       "{\"startedDateTime\":\"2024-01-02T03:04:05Z\",\"time\":40,\"request\":{\"url\":\"/a\"}},\n"
		       "{\"startedDateTime\":\"2024-01-02T03:04:06Z\",\"time\":-1,\"request\":{\"url\":\"/b\"}},\n"
		       "{\"startedDateTime\":\"2024-01-02T03:04:07Z\",\"time\":0.00095367431640625},\n"
		       "{\"startedDateTime\":\"2024-01-02T03:04:08Z\",\"time\":263.26400000834838},\n"
		       "{\"startedDateTime\":\"2024-01-02T03:04:09Z\",\"time\":0.1},\n"
		       "{\"startedDateTime\":\"2024-01-02T03:04:10Z\",\"time\":1.5e3},\n"
		       "{\"startedDateTime\":\"2024-01-02T03:04:11Z\",\"time\":\"12\"},\n"
		       "{\"startedDateTime\":\"2024-01-02T03:04:12Z\"}]}}"),
		  RL_REJECT_NONE);
	static const struct {
		long long us, res;
	} want[] = {{40000, 1000}, {-1, 0}, {0, 1}, {263264, 1}, {100, 100}, {1500000, 1000}, {-1, 0}, {-1, 0}};
	rl_reject rj;
	long long item;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		CHECK_INT(next(&rj, &item), 1);
		CHECK_INT(rj, RL_REJECT_NONE);
		CHECK_INT(item, (long long)i + 1);
		CHECK_INT(rec.duration_us, want[i].us);
		if (want[i].us >= 0)
			CHECK_INT(rec.duration_res_us, want[i].res);
		CHECK_INT(rec.time_res_us, 1000000);
		CHECK_INT(rec.bytes, -1);
		CHECK_INT(rec.status, 0); /* no response */
	}
	CHECK_INT(next(&rj, &item), 0);
}

/* status 0 (Chrome's blocked request), no response (mitmproxy), base64 bodies. */
static void test_status_and_body(void)
{
	CHECK_INT(
		load(NULL,
		     "\xEF\xBB\xBF{\"log\":{\"creator\":{\"name\":\"mitmproxy\"},\"entries\":[\n"
		     "{\"startedDateTime\":\"2024-01-02T03:04:05.000Z\",\"request\":{\"method\":\"GET\",\"url\":"
		     "\"https://a.example/x\"},\n"
		     " \"response\":{\"status\":0,\"bodySize\":-1,\"content\":{\"size\":0},\"_error\":\"net::ERR_"
		     "FAILED\"}},\n"
		     "{\"startedDateTime\":\"2024-01-02T03:04:06.000Z\",\"request\":{\"method\":\"GET\",\"url\":"
		     "\"https://a.example\"}},\n"
		     "{\"startedDateTime\":\"2024-01-02T03:04:07.000Z\",\"request\":{\"method\":\"GET\",\"url\":"
		     "\"https://a.example/x\"},\n"
		     " \"response\":{\"status\":503,\"bodySize\":-1,\"content\":{\"size\":27,\"encoding\":\"base64\",\n"
		     "  \"text\":\"eyJlcnJvciI6eyJtZXNz\\nYWdlIjoiYnVzeSJ9fQ==\"}}},\n"
		     "{\"startedDateTime\":\"2024-01-02T03:04:08.000Z\",\"request\":{\"method\":\"GET\",\"url\":"
		     "\"https://a.example/x\"},\n"
		     " \"response\":{\"status\":200,\"bodySize\":5,\"content\":{\"size\":5,\"text\":\"hello\"}}},\n"
		     "{\"startedDateTime\":\"2024-01-02T03:04:09.000Z\",\"response\":{\"status\":\"200\"}},\n"
		     "{\"startedDateTime\":\"2024-01-02T03:04:10.000Z\",\"response\":{\"status\":404,\n"
		     " \"content\":{\"encoding\":\"base64\",\"text\":\"not*base64\"}}}]}}"),
		RL_REJECT_NONE);
	rl_reject rj;
	long long item;
	CHECK_INT(next(&rj, &item), 1);
	CHECK_INT(rec.status, 0);
	CHECK_INT(rec.bytes, 0); /* bodySize -1: content.size */
	CHECK_VIEW(rec.body, "net::ERR_FAILED");
	CHECK_VIEW(rec.client_id, "har:mitmproxy");
	CHECK_INT(next(&rj, &item), 1);
	CHECK_INT(rj, RL_REJECT_NONE);
	CHECK_INT(rec.status, 0);
	CHECK_VIEW(rec.target, "https://a.example");
	CHECK_VIEW(rec.vhost, "a.example");
	CHECK_VIEW(rec.body, NULL);
	CHECK_INT(next(&rj, &item), 1);
	CHECK_INT(rec.status, 503);
	CHECK_INT(rec.bytes, 27);
	CHECK_VIEW(rec.body, "{\"error\":{\"message\":\"busy\"}}");
	CHECK_INT(next(&rj, &item), 1);
	CHECK_INT(rec.status, 200);
	CHECK_VIEW(rec.body, NULL); /* bodies of successes are not kept */
	CHECK_INT(next(&rj, &item), 1);
	CHECK_INT(rj, RL_REJECT_BAD_STATUS);
	CHECK_INT(item, 5);
	CHECK_INT(next(&rj, &item), 1);
	CHECK_INT(rj, RL_REJECT_NONE);
	CHECK_INT(rec.status, 404);
	CHECK_VIEW(rec.body, NULL); /* not base64: no body rather than garbage */
	CHECK_INT(next(&rj, &item), 0);
}

/* Entries come out by start, ties in file order, unreadable ones first; item numbers are
 * positions in the file. */
static void test_order(void)
{
	CHECK_INT(load(NULL, "{\"log\":{\"entries\":[\n"
			     "{\"startedDateTime\":\"2024-01-02T03:04:07Z\",\"request\":{\"url\":\"/c\"}},\n"
			     "{\"startedDateTime\":\"2024-01-02T03:04:05Z\",\"request\":{\"url\":\"/a1\"}},\n"
			     "{\"startedDateTime\":\"yesterday\",\"request\":{\"method\":\"GET\",\"url\":\"/bad\"}},\n"
			     "{\"startedDateTime\":\"2024-01-02T03:04:05Z\",\"request\":{\"url\":\"/a2\"}},\n"
			     "42,\n"
			     "{\"startedDateTime\":\"2024-01-02T03:04:06.5Z\",\"request\":{\"url\":\"/b\"}},\n"
			     "{\"request\":{\"url\":\"/none\"}}]}}"),
		  RL_REJECT_NONE);
	static const struct {
		long long item;
		rl_reject rj;
		const char *target;
	} want[] = {{3, RL_REJECT_BAD_TIME, "/bad"}, {5, RL_REJECT_NO_MATCH, NULL}, {7, RL_REJECT_BAD_TIME, "/none"},
		    {2, RL_REJECT_NONE, "/a1"},	     {4, RL_REJECT_NONE, "/a2"},    {6, RL_REJECT_NONE, "/b"},
		    {1, RL_REJECT_NONE, "/c"}};
	rl_reject rj;
	long long item;
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		CHECK_INT(next(&rj, &item), 1);
		CHECK_INT(item, want[i].item);
		CHECK_INT(rj, want[i].rj);
		CHECK_VIEW(rec.target, want[i].target);
	}
	CHECK_INT(next(&rj, &item), 0);
}

static void test_bad_documents(void)
{
	rl_reject rj;
	long long item;
	/* mitmproxy's brokenfile.har */
	CHECK_INT(load(NULL, "{\"log\":\n[\n    2,1,3\n]\n\"request:\"}"), RL_REJECT_BAD_DOCUMENT);
	CHECK_INT(next(&rj, &item), 0);
	/* truncated */
	CHECK_INT(load(NULL, "{\"log\":{\"entries\":[{\"startedDateTime\":\"2024-01-02T03:04:05Z\"},"),
		  RL_REJECT_BAD_DOCUMENT);
	CHECK_INT(next(&rj, &item), 0);
	CHECK_INT(load(NULL, "{\"log\":{\"version\":\"1.2\"}}"), RL_REJECT_BAD_DOCUMENT);
	CHECK_INT(load(NULL, "[1,2]"), RL_REJECT_BAD_DOCUMENT);
	CHECK_INT(load(NULL, "{\"log\":{\"entries\":[]}} trailing"), RL_REJECT_BAD_DOCUMENT);
	/* an access log read as a HAR */
	CHECK_INT(load(NULL, "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326"),
		  RL_REJECT_BAD_DOCUMENT);
	/* nothing at all is no document, and nothing to reject */
	CHECK_INT(load(NULL, ""), RL_REJECT_NONE);
	CHECK_INT(next(&rj, &item), 0);
	CHECK_INT(load(NULL, "\xEF\xBB\xBF  \n\t"), RL_REJECT_NONE);
	CHECK_INT(next(&rj, &item), 0);
	/* empty entries, and a string holding \u0000 */
	CHECK_INT(load(NULL, "{\"log\":{\"comment\":\"a\\u0000b\",\"entries\":[]}}\n\n"), RL_REJECT_NONE);
	CHECK_INT(next(&rj, &item), 0);
	/* finish() runs once; the format takes no lines after it */
	CHECK_INT(rl_format_finish(fmt), RL_REJECT_NONE);
	CHECK_INT(rl_format_parse(fmt, "{}", 2, &rec), RL_REJECT_NO_MATCH);
}

/* --client names a request header: its value where present, hashed when it is a key. */
static void test_client(void)
{
	const char *doc = "{\"log\":{\"creator\":{\"name\":\"Polly.JS\",\"version\":\"6.0.6\"},\"entries\":[\n"
			  "{\"startedDateTime\":\"2024-01-02T03:04:05Z\",\"request\":{\"headers\":[\n"
			  "  {\"name\":\"x-api-key\",\"value\":\"sk-123\"}]}},\n"
			  "{\"startedDateTime\":\"2024-01-02T03:04:06Z\",\"request\":{\"headers\":[]}}]}}";
	static const char *const names[] = {"X-Api-Key", "$http_x_api_key", "x_api_key"};
	rl_reject rj;
	long long item;
	for (size_t i = 0; i < 3; i++) {
		CHECK_INT(load(names[i], doc), RL_REJECT_NONE);
		CHECK_INT(next(&rj, &item), 1);
		CHECK_VIEW(rec.client_id, "sk-123");
		CHECK(rec.client_is_secret);
		CHECK_INT(next(&rj, &item), 1);
		CHECK_VIEW(rec.client_id, "har:Polly.JS 6.0.6");
		CHECK(!rec.client_is_secret);
	}
	CHECK_INT(load("X-Client", doc), RL_REJECT_NONE);
	CHECK_INT(next(&rj, &item), 1);
	CHECK_VIEW(rec.client_id, "har:Polly.JS 6.0.6");
	rl_format *f;
	rl_err err;
	rl_format_opts o = {.client = "$"};
	CHECK_INT(rl_har_format_new(&f, &o, &err), RL_EUSAGE);
	CHECK_INT(rl_format_new(&f, "har", NULL, &err), 0);
	CHECK_STR(rl_format_name(f), "har");
	rl_format_free(f);
}

static int detect(const char *s, bool end)
{
	return rl_har_detect(s, strlen(s), end);
}

static void test_detect(void)
{
	CHECK_INT(detect("{\"log\":{\"version\":\"1.2\"", false), 1);
	CHECK_INT(detect("\xEF\xBB\xBF{\n  \"log\" : {\n    \"creator\": {", false), 1);
	CHECK_INT(detect(" \t\r\n{\"log\":{\"_recordingName\":\"x\",\"entries\":[", true), 1);
	/* not yet known */
	CHECK_INT(detect("", false), -1);
	CHECK_INT(detect("\xEF\xBB", false), -1);
	CHECK_INT(detect("  {\"lo", false), -1);
	CHECK_INT(detect("{\"log\":{\"_recordingName\":\"x\",", false), -1);
	/* ... and at the end of the input */
	CHECK_INT(detect("  {\"lo", true), 0);
	CHECK_INT(detect("{\"log\":{\"_recordingName\":\"x\",", true), 0);
	CHECK_INT(detect("", true), 0);
	/* other inputs, told from their first bytes */
	CHECK_INT(detect("{\"ts\":\"2026-11-29T10:00:00Z\",\"client_id\":\"a\"}\n", false), 0);
	CHECK_INT(detect("{\"log\":\"GET / 200\\n\",\"stream\":\"stdout\"}\n", false), 0); /* docker */
	CHECK_INT(detect("{\"logger\":\"http.log.access\"}", false), 0);
	CHECK_INT(detect("127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET", false), 0);
	CHECK_INT(detect("{\"log\":\n[\n    2,1,3\n]\n\"request:\"}", true), 0); /* brokenfile.har */
	CHECK_INT(detect("\xEF\xBBx", false), 0);
	/* JSON log lines with a "log" object of their own (ECS): its members decide, and a
	 * "version" elsewhere in the line does not count */
	CHECK_INT(detect("{\"log\":{\"level\":\"info\",\"origin\":{\"file\":\"a\"}},\"ecs\":{\"version\":\"1.6.0\"}}",
			 false),
		  0);
	CHECK_INT(
		detect("{\"log\":{\"comment\":\"a \\\"version\\\" in text\",\"pages\":[{\"id\":1}],\"version\":\"1.2\"",
		       false),
		1);
	/* the keys must show within 64 KiB */
	size_t n = 70 * 1024;
	char *big = malloc(n + 1);
	memset(big, ' ', n);
	memcpy(big, "{\"log\":{\"_x\":\"", 14);
	memcpy(big + n - 11, "\"version\":", 11);
	big[n] = 0;
	CHECK_INT(rl_har_detect(big, n, false), 0);
	CHECK_INT(rl_har_detect(big, 60 * 1024, false), -1);
	memset(big, ' ', n); /* nothing but space: not a HAR once the window is full */
	CHECK_INT(rl_har_detect(big, 60 * 1024, false), -1);
	CHECK_INT(rl_har_detect(big, n, false), 0);
	free(big);
}

/* A one-line document longer than the source's max_line: peek sees its start, and after
 * rl_source_set_max_line it comes out whole. */
static void test_source_plumbing(void)
{
	char path[] = "/tmp/rl-test-har-XXXXXX";
	int fd = mkstemp(path);
	size_t n = 300 * 1024;
	char *doc = malloc(n + 1);
	memset(doc, ' ', n);
	memcpy(doc, "{\"log\":{\"entries\":[]}}", 22);
	doc[n] = '\n';
	CHECK_INT(write(fd, doc, n + 1), (long long)n + 1);
	close(fd);
	for (int raise = 0; raise < 2; raise++) {
		rl_source *s;
		rl_err err;
		rl_source_opts o = {.buffer_size = 4096, .max_line = 1024};
		CHECK_INT(rl_source_open(&s, path, &o, &err), 0);
		const char *p;
		size_t got;
		CHECK_INT(rl_source_peek(s, 100, &p, &got, &err), 0);
		CHECK(got >= 100);
		CHECK_INT(rl_har_detect(p, got, false), 1);
		CHECK_INT(rl_source_peek(s, 1 << 20, &p, &got, &err), 0);
		CHECK_INT(got, 4096); /* at most the buffer */
		if (raise)
			rl_source_set_max_line(s, RL_DOCUMENT_MAX_BYTES);
		rl_line ln;
		CHECK_INT(rl_source_next(s, &ln, &err), 1);
		CHECK_INT(ln.lineno, 1);
		CHECK_INT(ln.full_len, n);
		CHECK_INT(ln.overlong, !raise);
		if (raise) {
			CHECK_INT(ln.n, n);
			CHECK(memcmp(ln.p, doc, n) == 0);
		}
		CHECK_INT(rl_source_next(s, &ln, &err), 0);
		rl_source_free(s);
	}
	unlink(path);
	free(doc);
}

int main(void)
{
	test_long_scheme();
	test_fields();
	test_durations();
	test_status_and_body();
	test_order();
	test_bad_documents();
	test_client();
	test_detect();
	test_source_plumbing();
	rl_format_free(fmt);
	return check_done("format_har");
}
