/* test_clf_fill.c - regex.c's two ways of filling a record from the combined family's
 * groups agree: clf_fill (each group's setter called directly) and the general loop
 * over the mapped groups, on the same parse of real, spliced and mutated CLF lines:
 * the same answer and the same record, field for field. The file is included for its
 * static functions and the format's struct. */
#include "lib/format/regex.c"
#include "tests/check.h"

static uint64_t rng = 0xda3e39cb94b95bdbULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const lines[] = {
	"83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET /presentations/logstash/kibana.png HTTP/1.1\" 200 "
	"203023 \"http://semicomplete.com/\" \"Mozilla/5.0 (Macintosh)\"",
	"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326",
	"example.com:80 81.2.69.143 - - [07/Dec/2016:11:05:07 +0100] \"GET /ocelot HTTP/1.1\" 200 571 \"-\" "
	"\"Mozilla/5.0\"",
	"10.0.0.2, 10.0.0.1 - - [07/Dec/2016:11:05:07 +0100] \"GET /a HTTP/1.1\" 503 - \"-\" \"UA\" \"1.2.3.4\"",
	"1.2.3.4 - - [10/Feb/2012:16:41:07 -0500] \"POST /q?\\\"x\\\" HTTP/1.0\" 429 368 \"-\" \"a \\\"b\\\" c\"",
	"1.2.3.4 - - [-] \"GET / HTTP/1.1\" - - \"r\" \"u\"",
	"1.2.3.4 - - [10/Feb/2012:16:41:07 -0500] \"\" 400 0 \"-\" \"-\" \"-\"",
	"1.2.3.4 - - [99/Zzz/2012:16:41:07 -0500] \"GET / HTTP/1.1\" 200 1",
	"1.2.3.4 - - [10/Feb/2012:16:41:07 -0500] \"GET / HTTP/1.1\" 200 99999999999999999999999",
};

int main(void)
{
	rl_format *base;
	rl_err err;
	CHECK_INT(rl_clf_format_new(&base, "combined", NULL, &err), 0);
	regex_format *f = (regex_format *)base;
	CHECK(f->clf_groups); /* the combined format takes the direct path */
	static const char special[] = "[]\"\\ \t-0123456789\nxG/,";
	char buf[600];
	long long records = 0;
	bool all = true;
	for (long t = 0; t < check_rounds(200000); t++) {
		size_t n = 0;
		if (t % 2) {
			const char *l = lines[rnd() % (sizeof lines / sizeof lines[0])];
			n = strlen(l);
			memcpy(buf, l, n);
		} else {
			for (size_t k = 1 + rnd() % 3; k > 0; k--) {
				const char *l = lines[rnd() % (sizeof lines / sizeof lines[0])];
				size_t ln = strlen(l), a = rnd() % (ln + 1), b = a + rnd() % (ln - a + 1);
				if (n + (b - a) > sizeof buf)
					break;
				memcpy(buf + n, l + a, b - a);
				n += b - a;
			}
		}
		for (size_t k = rnd() % 3; k > 0 && n; k--)
			buf[rnd() % n] = special[rnd() % (sizeof special - 1)];
		rl_record a, b;
		f->clf_groups = true;
		rl_reject ra = rl_format_parse(base, buf, n, &a);
		f->clf_groups = false;
		rl_reject rb = rl_format_parse(base, buf, n, &b);
		records += ra == RL_REJECT_NONE;
		if (ra != rb || (ra == RL_REJECT_NONE && memcmp(&a, &b, sizeof a) != 0)) {
			if (all)
				fprintf(stderr, "fills differ (%d, %d) on \"%.*s\"\n", ra, rb, (int)n, buf);
			all = false;
		}
	}
	CHECK(all);
	CHECK(records > check_rounds(50000));
	rl_format_free(base);
	return check_done("clf_fill");
}
