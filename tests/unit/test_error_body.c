/* test_error_body.c - error bodies to (type, code, message), messages to templates, and the
 * capped table of error rows (lib/classify/error_body.h, lib/classify/error_table.h). Every body is put against an
 * unreadable page, so a read past its end crashes the test. */
#include <sys/mman.h>
#include <unistd.h>

#include "lib/classify/error_body.h"
#include "lib/classify/error_table.h"
#include "tests/check.h"

static rl_error_body *em;
static char *page; /* two pages, the second unreadable */
static size_t page_size;

/* body's bytes (without its NUL) ending where the unreadable page starts */
static rl_str guarded(const char *body)
{
	size_t n = strlen(body);
	if (n > page_size)
		n = page_size;
	char *p = page + page_size - n;
	memcpy(p, body, n);
	return rl_str_make(p, n);
}

static rl_error_body_fields f;

static bool parse(const char *body)
{
	return rl_error_body_parse(em, guarded(body), &f);
}

static const char *tpl_cut(const char *msg, bool cut)
{
	static char out[RL_ERROR_BODY_MAX + 1];
	rl_str m = guarded(msg);
	size_t n = rl_error_body_template(m.p, m.n, cut, out, sizeof out);
	CHECK_INT(strlen(out), n);
	return out;
}

static const char *tpl(const char *msg)
{
	return tpl_cut(msg, false);
}

static void test_seed_envelopes(void)
{
	/* LEAPERone: {"error":{"message","type","code"}} */
	CHECK(parse("{\"error\":{\"message\":\"Rate limit exceeded. Please slow down.\",\"type\":\"rate_limit_error\","
		    "\"code\":\"rate_limit_exceeded\"}}"));
	CHECK_STR(f.message, "Rate limit exceeded. Please slow down.");
	CHECK_STR(f.type, "rate_limit_error");
	CHECK_STR(f.code, "rate_limit_exceeded");
	CHECK(!f.message_cut);
	/* Leadey: {"error":{"message","details"}}, details of every kind ignored */
	const char *leadey[] = {
		"{\"error\":{\"message\":\"Lead 42 not found\",\"details\":null}}",
		"{\"error\": {\"message\": \"Lead 42 not found\", \"details\": {\"code\": \"x\", \"id\": 42}}}",
		"{\"error\":{\"message\":\"Lead 42 not found\",\"details\":[{\"field\":\"id\"}]}}",
		"{\"error\":{\"message\":\"Lead 42 not found\",\"details\":\"see the docs\"}}",
		"  \n{\"error\":{\"details\":null,\"message\":\"Lead 42 not found\"}}\n",
	};
	for (size_t i = 0; i < sizeof leadey / sizeof *leadey; i++) {
		CHECK(parse(leadey[i]));
		CHECK_STR(f.message, "Lead 42 not found");
		CHECK_STR(f.type, "");
		CHECK_STR(f.code, "");
	}
}

static void test_common_shapes(void)
{
	/* GitHub's 422 (octokit-fixtures errors.raw-fixture.json): the top level's message,
	 * the code of errors[0] */
	CHECK(parse("{\"message\": \"Validation Failed\", \"errors\": [{\"resource\": \"Label\", \"code\": "
		    "\"invalid\", \"field\": \"color\"}], \"documentation_url\": "
		    "\"https://docs.github.com/rest/reference/issues#create-a-label\"}"));
	CHECK_STR(f.message, "Validation Failed");
	CHECK_STR(f.code, "invalid");
	CHECK_STR(f.type, "");
	/* {"error": "text"} */
	CHECK(parse("{\"error\":\"Not Found\"}"));
	CHECK_STR(f.message, "Not Found");
	CHECK_STR(f.code, "");
	/* OAuth 2: the error is the code */
	CHECK(parse("{\"error\":\"invalid_grant\",\"error_description\":\"Code 7 expired\"}"));
	CHECK_STR(f.message, "Code 7 expired");
	CHECK_STR(f.code, "invalid_grant");
	/* {"error":{"message","code"}} with a numeric code, and Google's status */
	CHECK(parse("{\"error\":{\"message\":\"Quota exceeded\",\"code\":4291}}"));
	CHECK_STR(f.message, "Quota exceeded");
	CHECK_STR(f.code, "4291");
	CHECK(parse("{\"error\":{\"code\":404,\"message\":\"Not here\",\"status\":\"NOT_FOUND\"}}"));
	CHECK_STR(f.code, "NOT_FOUND");
	/* {"errors":[{"message"}]}, GraphQL's extensions.code, a list of strings */
	CHECK(parse("{\"errors\":[{\"message\":\"Field x is required\",\"extensions\":{\"code\":\"BAD_USER_INPUT\"}},"
		    "{\"message\":\"second\"}]}"));
	CHECK_STR(f.message, "Field x is required");
	CHECK_STR(f.code, "BAD_USER_INPUT");
	CHECK(parse("{\"errors\":[\"name is too long\"]}"));
	CHECK_STR(f.message, "name is too long");
	/* RFC 9457 problem details: detail says more than title */
	CHECK(parse("{\"type\":\"https://example.com/probs/out-of-credit\",\"title\":\"You do not have enough "
		    "credit.\",\"detail\":\"Your balance is 30, but that costs 50.\",\"status\":403}"));
	CHECK_STR(f.message, "Your balance is 30, but that costs 50.");
	CHECK_STR(f.type, "https://example.com/probs/out-of-credit");
	CHECK_STR(f.code, "");
	/* FastAPI: {"detail":"…"} and {"detail":[{"msg":…}]} */
	CHECK(parse("{\"detail\":\"Not authenticated\"}"));
	CHECK_STR(f.message, "Not authenticated");
	CHECK(parse("{\"detail\":[{\"loc\":[\"body\",\"name\"],\"msg\":\"field required\",\"type\":\"missing\"}]}"));
	CHECK_STR(f.message, "field required");
	/* a bare JSON string, a top-level array */
	CHECK(parse("\"Service \\\"leads\\\" unavailable\""));
	CHECK_STR(f.message, "Service \"leads\" unavailable");
	CHECK(parse("[{\"message\":\"first\"}]"));
	CHECK_STR(f.message, "first");
	/* escapes decoded: \n, \u00e9, a surrogate pair */
	CHECK(parse("{\"message\":\"caf\\u00e9\\nok \\ud83d\\ude00\"}"));
	CHECK_STR(f.message, "caf\xc3\xa9\nok \xf0\x9f\x98\x80");
	/* JSON that says nothing, and nothing at all */
	CHECK(!parse("{\"ok\":false,\"reason\":{\"x\":1}}"));
	CHECK(!parse("{}"));
	CHECK(!parse(""));
	CHECK(!parse(" \r\n\t "));
	CHECK(!parse("null"));
	/* a type or code alone still says something */
	CHECK(parse("{\"error\":{\"code\":\"quota\"}}"));
	CHECK_STR(f.message, "");
	CHECK_STR(f.code, "quota");
}

static void test_cut_json(void)
{
	/* a logger kept the first bytes: the message is pulled out and marked cut */
	CHECK(parse("{\"error\":{\"message\":\"Lead 123 not fo"));
	CHECK_STR(f.message, "Lead 123 not fo");
	CHECK(f.message_cut);
	CHECK(parse("{\"error\":{\"message\":\"Rate limit exceeded.\",\"type\":\"rate_limit_error\",\"co"));
	CHECK_STR(f.message, "Rate limit exceeded.");
	CHECK(!f.message_cut);
	CHECK_STR(f.type, "rate_limit_error");
	CHECK_STR(f.code, "");
	CHECK(parse("{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"lead_not_found\",\"message\":\"Lead "
		    "\\\"x\\\" gone\\u00e9\\u00"));
	CHECK_STR(f.message, "Lead \"x\" gone\xc3\xa9");
	CHECK(f.message_cut);
	CHECK_STR(f.code, "lead_not_found");
	CHECK_STR(f.type, "invalid_request_error");
	/* a trailing backslash of a cut escape */
	CHECK(parse("{\"message\":\"tab\\"));
	CHECK_STR(f.message, "tab");
	CHECK(f.message_cut);
	/* message beats error_description beats detail beats a string error, wherever they are */
	CHECK(parse("{\"error\":\"bad\",\"detail\":\"d\",\"message\":\"m\",\"x\":[1,"));
	CHECK_STR(f.message, "m");
	CHECK(parse("{\"error\":\"bad\",\"x\":[1,"));
	CHECK_STR(f.message, "bad");
	/* a cut-off body that names no message */
	CHECK(!parse("{\"data\":[1,2,"));
}

static void test_text_and_html(void)
{
	CHECK(parse("upstream timed out\n(110: Connection timed out)\n"));
	CHECK_STR(f.message, "upstream timed out");
	CHECK(parse("\n\n  Service Unavailable  \r\n"));
	CHECK_STR(f.message, "Service Unavailable");
	CHECK(parse("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
		    "Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"));
	CHECK_STR(f.message, "502 Bad Gateway");
	CHECK(parse("<!DOCTYPE html><HTML><BODY><H1 class=\"x\">\n Forbidden \n</H1></BODY></HTML>"));
	CHECK_STR(f.message, "Forbidden");
	CHECK(!parse("<html><body><p>nothing named</p></body></html>"));
	/* a line that starts with a quote but is no JSON string: the line */
	CHECK(parse("\"quoted\" words"));
	CHECK_STR(f.message, "\"quoted\" words");
	/* a long line is cut at RL_ERROR_BODY_MAX, at a character boundary */
	char longm[400];
	memset(longm, 'a', sizeof longm - 1);
	longm[sizeof longm - 1] = 0;
	memcpy(longm + RL_ERROR_BODY_MAX - 1, "\xc3\xa9", 2); /* é across the cut */
	CHECK(parse(longm));
	CHECK_INT(strlen(f.message), RL_ERROR_BODY_MAX - 1);
	CHECK(f.message_cut);
}

static void test_templates(void)
{
	/* SPEC §4's own example: two ids, one template */
	CHECK_STR(tpl("Lead 123 not found"), "Lead {n} not found");
	CHECK_STR(tpl("Lead 456 not found"), "Lead {n} not found");
	/* numbers: with fractions, with units, in punctuation; words keep their digits */
	CHECK_STR(tpl("Retry in 1.5 seconds"), "Retry in {n} seconds");
	CHECK_STR(tpl("Retry in 30s (attempt #3 of 5)"), "Retry in {n}s (attempt #{n} of {n})");
	CHECK_STR(tpl("at 2026-11-29T10:00:00Z"), "at {n}-{n}-{n}T{n}:{n}:{n}Z");
	CHECK_STR(tpl("API v2 needs OAuth2 and sha256"), "API v2 needs OAuth2 and sha256");
	CHECK_STR(tpl("-7 is below 0"), "-{n} is below {n}");
	/* UUIDs, hex ids, long mixed ids */
	CHECK_STR(tpl("Task 550e8400-e29b-41d4-a716-446655440000 expired"), "Task {uuid} expired");
	CHECK_STR(tpl("Task 550E8400-E29B-41D4-A716-446655440000."), "Task {uuid}.");
	CHECK_STR(tpl("request 5f3a9b2c0d failed"), "request {hex} failed");
	CHECK_STR(tpl("trace deadbeef7"), "trace {hex}");
	CHECK_STR(tpl("the facade deadbeef stays"), "the facade deadbeef stays"); /* no digit */
	CHECK_STR(tpl("ab12cd3"), "ab12cd3"); /* 7 hex: a word */
	CHECK_STR(tpl("No such customer: cus_9s6XKzkNRiz8i3"), "No such customer: {id}");
	/* e-mail addresses */
	CHECK_STR(tpl("User jane.doe+x@example.co.uk exists."), "User {email} exists.");
	CHECK_STR(tpl("User @example.com"), "User @example.com");
	CHECK_STR(tpl("mail root@localhost"), "mail root@localhost");
	/* quoted values: single and double; apostrophes are no quotes */
	CHECK_STR(tpl("Field 'name' can't be empty"), "Field '{s}' can't be empty");
	CHECK_STR(tpl("Invalid value \"x y 12\" for \"color\""), "Invalid value \"{s}\" for \"{s}\"");
	CHECK_STR(tpl("Unknown key 'it's'"), "Unknown key '{s}'");
	CHECK_STR(tpl("the user's 'role' is unset"), "the user's '{s}' is unset");
	CHECK_STR(tpl("Empty ''"), "Empty '{s}'");
	CHECK_STR(tpl("an open 'quote"), "an open 'quote");
	CHECK_STR(tpl_cut("an open 'quote that was cu", true), "an open '{s}");
	/* control characters and runs of white space: one space, trimmed */
	CHECK_STR(tpl("\t Lead\n\n42\r\x1b[31m not\x7f found  \n"), "Lead {n} [{n}m not found");
	/* stable: the same message, the same template */
	char a[RL_ERROR_BODY_MAX + 1];
	snprintf(a, sizeof a, "%s", tpl("Lead 9 of user x@y.io: 'z' at 0xff"));
	CHECK_STR(tpl("Lead 9 of user x@y.io: 'z' at 0xff"), a);
	CHECK_STR(a, "Lead {n} of user {email}: '{s}' at {n}xff");
	/* bounded: many short numbers grow the text, the template stops at a whole piece */
	char many[RL_ERROR_BODY_MAX + 1];
	for (size_t i = 0; i < RL_ERROR_BODY_MAX / 2; i++)
		memcpy(many + 2 * i, "1 ", 2);
	many[RL_ERROR_BODY_MAX - 1] = 0;
	const char *t = tpl(many);
	CHECK(strlen(t) <= RL_ERROR_BODY_MAX);
	CHECK(strlen(t) >= RL_ERROR_BODY_MAX - 4);
	CHECK(strncmp(t + strlen(t) - 3, "{n}", 3) == 0);
	/* a small buffer is never overrun, nor a placeholder cut */
	char small[8];
	CHECK_INT(rl_error_body_template("Lead 123 not found", 18, false, small, sizeof small), 4);
	CHECK_STR(small, "Lead");
}

static uint32_t id_of(rl_error_table *t, int status, const char *body)
{
	uint32_t id = 99;
	CHECK_INT(rl_error_table_id(t, status, guarded(body), &id), 0);
	return id;
}

static void test_table(void)
{
	rl_error_table *t = rl_error_table_new(3);
	const char *leaper = "{\"error\":{\"message\":\"Lead %d not found\",\"type\":\"invalid_request_error\","
			     "\"code\":\"lead_not_found\"}}";
	char b1[256], b2[256];
	snprintf(b1, sizeof b1, leaper, 123);
	snprintf(b2, sizeof b2, leaper, 456);
	uint32_t a = id_of(t, 404, b1);
	CHECK_INT(a, 1);
	CHECK_INT(id_of(t, 404, b2), a);
	const rl_error_row *r = rl_error_table_row(t, a);
	CHECK_INT(r->status, 404);
	CHECK_STR(r->type, "invalid_request_error");
	CHECK_STR(r->code, "lead_not_found");
	CHECK_STR(r->message, "Lead {n} not found");
	CHECK_STR(r->sample, "Lead 123 not found"); /* the first one */
	/* another status is another row; successes and empty bodies are none */
	CHECK_INT(id_of(t, 410, b1), 2);
	CHECK_INT(id_of(t, 200, b1), 0);
	CHECK_INT(id_of(t, -1, b1), 0);
	CHECK_INT(id_of(t, 500, ""), 0);
	CHECK_INT(id_of(t, 500, "{\"ok\":1}"), 0);
	CHECK_INT(id_of(t, 500, "{\"ok\":1}"), 0); /* remembered: still none */
	/* a message with control characters: the template collapses them, the sample shows
	 * spaces and never a raw control byte; invalid UTF-8 is made visible */
	uint32_t c = id_of(t, 0, "{\"error\":\"connect\\u001b[2J\\treset\\n by peer \\ud800\"}");
	CHECK_INT(c, 3);
	CHECK_STR(rl_error_table_row(t, c)->message, "connect [{n}J reset by peer \xef\xbf\xbd");
	CHECK_STR(rl_error_table_row(t, c)->sample, "connect [2J reset  by peer \xef\xbf\xbd");
	CHECK(!rl_error_table_capped(t));
	/* past the cap (3): new templates go to their status's {other} row, known ones stay */
	uint32_t o = id_of(t, 500, "disk full on node 7");
	CHECK_INT(o, 4);
	CHECK_STR(rl_error_table_row(t, o)->message, RL_ERROR_TABLE_OTHER);
	CHECK_STR(rl_error_table_row(t, o)->type, "");
	CHECK_STR(rl_error_table_row(t, o)->sample, "disk full on node 7");
	CHECK_INT(id_of(t, 500, "something else"), o);
	CHECK_INT(id_of(t, 503, "something else"), 5);
	CHECK_INT(id_of(t, 404, b2), a);
	CHECK(rl_error_table_capped(t));
	/* ids are stable and the database's ids are kept */
	rl_error_table_set_db_id(t, a, 77);
	CHECK_INT(rl_error_table_row(t, a)->db_id, 77);
	CHECK_INT(rl_error_table_count(t), 5);
	CHECK(rl_error_table_row(t, 6) == NULL);
	rl_error_table_free(t);

	/* preloaded rows keep their database ids and count towards the cap */
	t = rl_error_table_new(2);
	CHECK_INT(rl_error_table_preload(t, 10, 404, "invalid_request_error", "lead_not_found", "Lead {n} not found"),
		  0);
	CHECK_INT(rl_error_table_preload(t, 11, 500, "", "", RL_ERROR_TABLE_OTHER), 0);
	CHECK_INT(rl_error_table_preload(t, 12, 429, "", "", "Slow down"), 0);
	CHECK_INT(id_of(t, 404, b2), 1);
	CHECK_INT(rl_error_table_row(t, 1)->db_id, 10);
	CHECK_INT(id_of(t, 500, "new"), 2); /* the cap is full: the preloaded {other} */
	CHECK_INT(id_of(t, 429, "Slow down"), 3);
	CHECK_INT(id_of(t, 429, "Slower"), 4);
	CHECK_STR(rl_error_table_row(t, 4)->message, RL_ERROR_TABLE_OTHER);
	rl_error_table_free(t);
	rl_error_table_free(NULL);
}

int main(void)
{
	page_size = (size_t)sysconf(_SC_PAGESIZE);
	page = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || mprotect(page + page_size, page_size, PROT_NONE))
		return 2;
	em = rl_error_body_new();
	CHECK(em != NULL);
	test_seed_envelopes();
	test_common_shapes();
	test_cut_json();
	test_text_and_html();
	test_templates();
	test_table();
	rl_error_body_free(em);
	munmap(page, 2 * page_size);
	return check_done("test_errmsg");
}
