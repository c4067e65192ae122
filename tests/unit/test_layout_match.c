/* test_layout_match.c - layouts' patterns in C (layout_match.c) against PCRE2 on the
 * same patterns (rl_layout_pattern): where the C matcher matches, the same offsets for
 * every group; where it does not, PCRE2 judges the line (regex.c), so there is nothing
 * to hold it to but that it matches most well-formed lines. The layouts cover every
 * value kind, quoted and bare, next to literals, blanks and other fields; the lines are
 * made from values of each kind (well formed, '-', and hostile: quotes, escapes,
 * blanks, commas, newlines), cut and with bytes changed. */
#include <stdint.h>
#include <stdlib.h>

#include <pcre2.h>

#include "lib/format/layout.h"
#include "tests/check.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const nginx_layouts[] = {
	"$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" "
	"\"$http_user_agent\"",
	"$remote_addr [$time_local] $msec $request_time \"$request\" $status $body_bytes_sent \"$http_x_client_id\" "
	"\"$http_idempotency_key\" \"$sent_http_retry_after\" $upstream_status \"$http_user_agent\"",
	"$time_iso8601 $remote_addr $request_method $request_uri $status $request_time $upstream_response_time "
	"$upstream_addr $http_user_agent",
	"$remote_addr|$time_local|$request|$status|$upstream_status|$request_length|$http_x_api_key",
	"$msec $remote_addr $request $status",
	"$remote_addr $remote_user $request_time$status $uri $args",
	"[$time_local]  \"$request\"   $status",
};
static const char *const apache_layouts[] = {
	"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"",
	"%v:%p %h %l %u %t \"%r\" %>s %O %D",
};

/* A value of each shape, and hostile ones. */
static const char *const values[] = {
	"10.1.2.3",
	"-",
	"",
	"frank",
	"10/Oct/2000:13:55:36 -0700",
	"1/Oct/2000:13:55:36",
	"10/Oct/2000 13:55:36",
	"2023-11-14T22:13:20+00:00",
	"2023-11-14 22:13:20.123Z",
	"2023-11-14T22:13:20,5+0100",
	"1699999999.123",
	"0.005",
	"-1.5",
	"12",
	"200",
	"503",
	"2000",
	"GET /v1/leads/7?x=1 HTTP/1.1",
	"GET /a\\\"b HTTP/1.1",
	"GET /\"q\" HTTP/1.0",
	"a, b : c",
	"10.0.0.1:80, 10.0.0.2:80",
	"502, 503",
	",",
	" , ",
	"a\\",
	"x\ny",
	"\"",
	"\\\"",
	"curl/8.0 (x; y)",
	"a\tb",
	"  ",
	"python-requests/2.31.0",
	"k-123",
};

static long long compared, matched;

static bool check_line(pcre2_code *code, pcre2_match_data *md, const rl_layout_matcher *m, const char *p, size_t n)
{
	size_t ov[2 * (RL_LAYOUT_MAX + 1)];
	int got = rl_layout_match(m, p, n, ov);
	compared++;
	if (got == 0)
		return true; /* PCRE2's to judge */
	int want = pcre2_match(code, (PCRE2_SPTR)p, n, 0, 0, md, NULL);
	bool ok = want == got;
	if (ok) {
		matched++;
		PCRE2_SIZE *w = pcre2_get_ovector_pointer(md);
		for (int i = 0; i < 2 * want; i++)
			ok &= w[i] == ov[i];
	}
	if (!ok) {
		fprintf(stderr, "layout_match differs from PCRE2 (rc %d, want %d) on: \"", got, want);
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, (unsigned char)p[i] < 32 || p[i] == '"' || p[i] == '\\' ? "\\x%02x" : "%c",
				(unsigned char)p[i]);
		fprintf(stderr, "\"\n");
	}
	return ok;
}

/* A line of the layout with a random value in each field (the field's own shape most
 * of the time), then maybe cut or with a byte changed. */
static size_t make_line(const rl_layout *l, char *buf, size_t cap, bool wellformed)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++) {
		const rl_layout_item *it = &l->items[i];
		const char *v;
		if (it->literal) {
			v = it->text;
		} else if (wellformed) {
			switch (it->val) {
			case RL_VAL_CLF_TIME:
				v = values[4];
				break;
			case RL_VAL_ISO_TIME:
				v = values[7 + rnd() % 3];
				break;
			case RL_VAL_DECIMAL:
				v = values[10 + rnd() % 3];
				break;
			case RL_VAL_INT:
			case RL_VAL_STATUS:
				v = values[14 + rnd() % 2];
				break;
			case RL_VAL_LIST:
				v = values[20 + rnd() % 3];
				break;
			case RL_VAL_REQUEST:
				v = values[17];
				break;
			default:
				v = values[rnd() % 2 ? 0 : 33];
			}
		} else {
			v = values[rnd() % (sizeof values / sizeof values[0])];
		}
		size_t k = strlen(v);
		if (n + k > cap)
			break;
		memcpy(buf + n, v, k);
		n += k;
	}
	return n;
}

/* plain: a layout whose fields are quoted or of a fixed shape, as real formats are; its
 * well-formed lines all match in C. (The others put a bare list or request before a
 * literal it may hold, or two fields side by side: PCRE2 backtracks there.) */
static void one_layout(const rl_layout *l, const char *name, bool plain)
{
	char *pat = rl_layout_pattern(l, l->n);
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_DUPNAMES, &ec, &eo, NULL);
	CHECK(code != NULL);
	rl_layout_matcher *m = rl_layout_matcher_new(l);
	CHECK(m != NULL);
	if (!code || !m) {
		free(pat);
		free(m);
		pcre2_code_free(code);
		return;
	}
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
	static const char special[] = "[]\"\\ \t-0123456789\n,:|.a/";
	char buf[800];
	bool all = true;
	long long m0 = matched, good = 0, good_matched = 0;
	for (long t = 0; t < check_rounds(60000); t++) {
		bool wellformed = t % 3 == 0;
		size_t n = make_line(l, buf, sizeof buf, wellformed);
		if (wellformed) {
			size_t ov[2 * (RL_LAYOUT_MAX + 1)];
			good++;
			bool in_c = rl_layout_match(m, buf, n, ov) > 0;
			good_matched += in_c;
			if (!in_c && plain && good - good_matched == 1)
				fprintf(stderr, "not matched in C (%s): %.*s\n", name, (int)n, buf);
		} else if (rnd() % 2 && n) {
			for (size_t k = 1 + rnd() % 3; k > 0; k--)
				buf[rnd() % n] = special[rnd() % (sizeof special - 1)];
		} else if (rnd() % 4 == 0) {
			n = rnd() % (n + 1);
		}
		all &= check_line(code, md, m, buf, n);
	}
	if (!all)
		fprintf(stderr, "layout: %s\n", name);
	CHECK(all);
	if (plain) {
		CHECK(matched - m0 > check_rounds(1000)); /* the comparison above compared something */
		CHECK(good_matched == good); /* and the C path takes every well-formed line */
	}
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	free(m);
	free(pat);
}

int main(void)
{
	rl_err err;
	for (size_t i = 0; i < sizeof nginx_layouts / sizeof nginx_layouts[0]; i++) {
		rl_layout l;
		CHECK_INT(rl_nginx_parse_layout(&l, nginx_layouts[i], &err), 0);
		one_layout(&l, nginx_layouts[i], i < 3 || i == 6);
	}
	for (size_t i = 0; i < sizeof apache_layouts / sizeof apache_layouts[0]; i++) {
		rl_layout l;
		CHECK_INT(rl_apache_parse_layout(&l, apache_layouts[i], &err), 0);
		one_layout(&l, apache_layouts[i], true);
	}
	fprintf(stderr, "%lld lines, %lld matched in C\n", compared, matched);
	return check_done("layout_match");
}
