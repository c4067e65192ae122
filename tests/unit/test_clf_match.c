/* test_clf_match.c - the combined family's pattern in C (clf.c) against PCRE2 on the
 * same pattern: the same answer and the same offsets for every group, on real lines,
 * on each of their prefixes, on lines cut and spliced from them, and on random lines
 * of the bytes the pattern turns on ([ ] " \ blanks digits - newline). */
#include <stdint.h>
#include <stdlib.h>

#include <pcre2.h>

#include "lib/format/internal.h"
#include "tests/check.h"

static pcre2_code *code;
static pcre2_match_data *md;
static long long compared, matched;

/* One line both ways; false (and a message) where they differ. */
static bool same(const char *p, size_t n)
{
	size_t ov[2 * 16];
	int want = pcre2_match(code, (PCRE2_SPTR)p, n, 0, 0, md, NULL);
	int got = rl_clf_match(NULL, p, n, ov);
	compared++;
	if (want == PCRE2_ERROR_NOMATCH)
		want = 0;
	bool ok = want == got;
	if (ok && want > 0) {
		matched++;
		PCRE2_SIZE *w = pcre2_get_ovector_pointer(md);
		for (int i = 0; i < 2 * want; i++)
			ok &= w[i] == ov[i];
	}
	if (!ok) {
		fprintf(stderr, "clf_match differs from PCRE2 (rc %d, want %d) on: \"", got, want);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, (unsigned char)p[i] < 32 || p[i] == '"' || p[i] == '\\' ? "\\x%02x" : "%c",
				(unsigned char)p[i]);
		fprintf(stderr, "\"\n");
	}
	return ok;
}

static const char *const lines[] = {
	"83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET /presentations/logstash/kibana.png HTTP/1.1\" 200 "
	"203023 \"http://semicomplete.com/\" \"Mozilla/5.0 (Macintosh)\"",
	"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326",
	"example.com:80 81.2.69.143 - - [07/Dec/2016:11:05:07 +0100] \"GET /ocelot HTTP/1.1\" 200 571 \"-\" "
	"\"Mozilla/5.0\"",
	"10.0.0.2, 10.0.0.1 - - [07/Dec/2016:11:05:07 +0100] \"GET /a HTTP/1.1\" 200 571 \"-\" \"UA\" \"1.2.3.4\"",
	"1.2.3.4 - - [10/Feb/2012:16:41:07 -0500] \"GET /q?\\\"x\\\" HTTP/1.0\" 200 368 \"-\" \"a \\\"b\\\" c\"",
	"1.2.3.4 - - [10/Feb/2012:16:41:07 -0500] \"GET /\"quote\" HTTP/1.0\" 404 - \"-\" \"curl\"",
	"1.2.3.4 - - [10/Feb/2012:16:41:07 -0500] \"\" 400 0 \"-\" \"-\"",
	"1.2.3.4 - - [10/Feb/2012:16:41:07 -0500] \"-\" 408 - \"-\" \"-\"",
	"1.2.3.4 - - [10/Feb/2012:16:41:07 -0500] \"\\x16\\x03\\x01\" 400 166 \"-\" \"-\"",
	"1.2.3.4 - - [10/Feb/2012:16:41:07 -0500]\t\"GET / HTTP/1.1\"\t200\t5\t\"r\"\t\"u\"\t\"x\" trailing",
	"1.2.3.4 - - [10/Feb/2012:16:41:07 -0500] \"GET / HTTP/1.1\" - - \"r\"  \"u\"",
	"1.2.3.4 - - [10/Feb/2012:16:41:07 -0500] \"a\" \" 200 1\" 200 1 \"r\\",
	"1.2.3.4 - - [10/Feb/2012:16:41:07 -0500] \"a\\\n\" 200 1",
	"1.2.3.4 - - [10/Feb/2012:16:41:07 -0500] \"a\n\" 200 1 \"b\\\n\"",
	"[x] \"\" 200 1",
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_real_lines(void)
{
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		size_t n = strlen(lines[i]);
		CHECK(same(lines[i], n));
		bool all = true;
		for (size_t k = 0; k < n; k++) /* every prefix: where each group stops matching */
			all &= same(lines[i], k);
		CHECK(all);
	}
}

/* Lines spliced from pieces of the real ones, and the same with bytes changed to the
 * ones the pattern turns on. */
static void test_spliced(void)
{
	static const char special[] = "[]\"\\ \t-0123456789\nxG/";
	char buf[600];
	bool all = true;
	for (long t = 0; t < check_rounds(300000); t++) {
		size_t n = 0, parts = 1 + rnd() % 4;
		for (size_t k = 0; k < parts; k++) {
			const char *l = lines[rnd() % (sizeof lines / sizeof lines[0])];
			size_t ln = strlen(l), a = rnd() % (ln + 1), b = a + rnd() % (ln - a + 1);
			if (n + (b - a) > sizeof buf)
				break;
			memcpy(buf + n, l + a, b - a);
			n += b - a;
		}
		for (size_t k = rnd() % 4; k > 0 && n; k--)
			buf[rnd() % n] = special[rnd() % (sizeof special - 1)];
		all &= same(buf, n);
	}
	CHECK(all);
}

static void test_random(void)
{
	static const char alphabet[] = "[]\"\\ \t-0123456789\nab/";
	char buf[80];
	bool all = true;
	for (long t = 0; t < check_rounds(300000); t++) {
		size_t n = rnd() % sizeof buf;
		for (size_t k = 0; k < n; k++)
			buf[k] = alphabet[rnd() % (sizeof alphabet - 1)];
		if (n > 3 && rnd() % 2) { /* most random lines need a time to get anywhere */
			size_t at = rnd() % (n - 3);
			buf[at] = '[';
			buf[at + 2] = ']';
		}
		all &= same(buf, n);
	}
	CHECK(all);
}

int main(void)
{
	int ec;
	PCRE2_SIZE eo;
	code = pcre2_compile((PCRE2_SPTR)rl_clf_pattern, PCRE2_ZERO_TERMINATED, PCRE2_DUPNAMES, &ec, &eo, NULL);
	CHECK(code != NULL);
	if (!code)
		return check_done("clf_match");
	uint32_t groups = 0, nl = 0;
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
	CHECK_INT(groups, 8); /* the group numbers clf.c names */
	pcre2_config(PCRE2_CONFIG_NEWLINE, &nl);
	CHECK_INT(nl, PCRE2_NEWLINE_LF);
	md = pcre2_match_data_create_from_pattern(code, NULL);
	test_real_lines();
	test_spliced();
	test_random();
	/* the fuzz of the two above means something only if many lines matched, some not */
	CHECK(matched > 1000);
	CHECK(compared - matched > 1000);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	return check_done("clf_match");
}
