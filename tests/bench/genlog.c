/* genlog.c - a deterministic, realistic API access log in nginx "combined" format.
 *
 *   genlog [--lines N] [--span SECONDS] [--clients N] [--seed S] [--start EPOCH]
 *          [--disorder SECONDS] [--format combined|trace|json|custom] [--distinct]
 *          [--violations]
 *
 * Hundreds of clients (address + user agent, a few of them heavy), REST endpoints with
 * numeric, UUID and hex ids in their paths, a realistic status mix, and retry bursts
 * after 429/5xx (backoff with jitter, immediate hammering, fixed delays, exact
 * exponential backoff without jitter) and blind retries after 4xx; now and then an
 * outage fails many clients at once, and those without jitter retry in lockstep. Lines
 * are written in time order with up to --disorder seconds (default 2) of disorder, as
 * several nginx workers produce. --format trace writes JSONL client traces instead, with
 * ms timestamps, durations, Retry-After on some 429s and idempotency keys on POSTs (some
 * clients change the key on each retry). --format json writes the same requests as nginx
 * escape=json lines (~300 bytes: $time_local, $msec, $request, $request_time, Retry-After
 * and Idempotency-Key as logged headers). --format custom writes them as text in the
 * README's recommended nginx log_format (CUSTOM_FORMAT below, ~200 bytes). The same
 * arguments always give the same bytes
 * (a private PRNG, no locale, no clock).
 *
 * --violations writes a log rich in violations instead of a realistic one: 20,000
 * clients by default, three requests in ten failing (429 and 5xx twice as often as 4xx),
 * an outage of 200 clients every two minutes, and clients that retry a 4xx blindly
 * four times in five: most chains report blind retries, too_fast or no_jitter
 * backoff, unsafe retries or lockstep, each with its evidence.
 *
 * --distinct writes the worst case for the retry analysis's memory instead: every line is
 * a different client whose request failed (429 or 5xx) and is not retried yet, spread
 * over --span seconds, then a health check every second for 65 s more. With a span of
 * 50 s and the default --max-lag (60 s) and --retry-window (120 s), every failure has
 * left the reorder buffer at the end of input and every client is an open chain. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t rng_state;
static uint64_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
static uint64_t below(uint64_t n)
{
	return rnd() % n;
}
static double unit(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

typedef struct event {
	int64_t t_us; /* when nginx logs it (trace: when the attempt starts) */
	int64_t order; /* output order key (t plus worker disorder) */
	uint32_t client, id, bytes, idem, dur_ms;
	uint16_t status;
	uint8_t endpoint, method, retry_after;
} event;

static const char *const uas[] = {
	"python-requests/2.31.0",
	"Go-http-client/1.1",
	"curl/7.88.1",
	"okhttp/4.12.0",
	"axios/1.6.2",
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
	("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
	 "Safari/605.1.15"),
	"leadey-sdk-node/3.2.1 node/20.10.0",
	"leaperone-python/1.4.0 (CPython 3.11.6; Linux)",
	"Apache-HttpClient/4.5.14 (Java/17.0.9)",
};

/* template, method, kind of id (0 none, 1 digits, 2 uuid, 3 hex) */
static const struct {
	const char *fmt;
	const char *method;
	int id;
	unsigned weight;
} endpoints[] = {
	{"/v1/leads/%s", "GET", 1, 30},
	{"/v1/leads", "GET", 0, 10},
	{"/v1/leads", "POST", 0, 8},
	{"/v1/leads/%s", "PATCH", 1, 4},
	{"/v1/leads/%s", "DELETE", 1, 2},
	{"/v1/campaigns/%s/stats", "GET", 2, 8},
	{"/v1/campaigns", "GET", 0, 5},
	{"/v1/images/generations", "POST", 0, 6},
	{"/v1/images/generations/%s", "GET", 3, 10},
	{"/v1/credits", "GET", 0, 3},
	{"/v1/users/%s/profile", "GET", 1, 6},
	{"/v1/webhooks/%s", "PUT", 2, 2},
	{"/healthz", "GET", 0, 4},
	{"/v1/search?q=%s", "GET", 1, 2},
};
#define NEP (sizeof endpoints / sizeof endpoints[0])

static unsigned pick_endpoint(void)
{
	static unsigned total;
	if (!total)
		for (size_t i = 0; i < NEP; i++)
			total += endpoints[i].weight;
	unsigned r = (unsigned)below(total);
	for (size_t i = 0; i < NEP; i++) {
		if (r < endpoints[i].weight)
			return (unsigned)i;
		r -= endpoints[i].weight;
	}
	return 0;
}

static bool rich; /* --violations */

static uint16_t pick_status(unsigned ep)
{
	double u = unit();
	if (rich) {
		static const uint16_t client_errors[] = {400, 404, 409, 422};
		static const uint16_t server_errors[] = {500, 502, 503, 503, 504};
		if (u < 0.70)
			return strcmp(endpoints[ep].method, "POST") ? 200 : 201;
		if (u < 0.80)
			return client_errors[below(4)];
		if (u < 0.88)
			return 429;
		return server_errors[below(5)];
	}
	if (!strcmp(endpoints[ep].method, "POST") && u < 0.6)
		return 201;
	if (!strcmp(endpoints[ep].method, "DELETE") && u < 0.7)
		return 204;
	u = unit();
	if (u < 0.86)
		return 200;
	if (u < 0.88)
		return 304;
	if (u < 0.90)
		return 400;
	if (u < 0.905)
		return 401;
	if (u < 0.91)
		return 402;
	if (u < 0.93)
		return 404;
	if (u < 0.935)
		return 410;
	if (u < 0.94)
		return 422;
	if (u < 0.96)
		return 429;
	if (u < 0.975)
		return 500;
	if (u < 0.985)
		return 502;
	if (u < 0.995)
		return 503;
	return 504;
}

static event *ev;
static size_t nev, cap;
static void push(event e)
{
	if (nev == cap) {
		cap = cap ? cap * 2 : 1 << 16;
		ev = realloc(ev, cap * sizeof *ev);
		if (!ev) {
			perror("genlog");
			exit(1);
		}
	}
	ev[nev++] = e;
}

static int cmp(const void *a, const void *b)
{
	const event *x = a, *y = b;
	return x->order < y->order ? -1 : x->order > y->order;
}

int main(int argc, char **argv)
{
	uint64_t lines = 1000000, span = 3600, clients = 0, seed = 1, disorder = 2;
	int64_t start = 1700000000; /* 2023-11-14T22:13:20Z */
	bool trace = false, json = false, custom = false, distinct = false;
	for (int i = 1; i < argc; i += 2) {
		if (!strcmp(argv[i], "--distinct") || !strcmp(argv[i], "--violations")) {
			distinct |= argv[i][2] == 'd';
			rich |= argv[i][2] == 'v';
			i--;
			continue;
		}
		if (i + 1 == argc)
			goto usage;
		if (!strcmp(argv[i], "--lines"))
			lines = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--span"))
			span = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--clients"))
			clients = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--seed"))
			seed = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--start"))
			start = strtoll(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--disorder"))
			disorder = strtoull(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--format")) {
			trace = !strcmp(argv[i + 1], "trace");
			json = !strcmp(argv[i + 1], "json");
			custom = !strcmp(argv[i + 1], "custom");
		} else {
		usage:
			fprintf(stderr,
				"usage: genlog [--lines N] [--span S] [--clients N] [--seed S] [--start EPOCH] "
				"[--disorder S] [--format combined|trace|json|custom] [--distinct] [--violations]\n");
			return 2;
		}
	}
	if (!clients)
		clients = rich ? 20000 : 400;
	int64_t outage_every = (rich ? 120 : 600) * 1000000LL;
	int outage_fanout = rich ? 200 : 25;
	static const uint16_t failures[] = {429, 500, 502, 503, 504};
	for (int64_t k = 0; distinct && k < 65; k++)
		push((event){.t_us = ((int64_t)span + k) * 1000000,
			     .client = (uint32_t)lines,
			     .endpoint = 12,
			     .status = 200,
			     .bytes = 2,
			     .dur_ms = 1});
	for (uint32_t c = 0; distinct && nev < lines + 65; c++) {
		unsigned ep = pick_endpoint();
		push((event){
			.t_us = (int64_t)below((uint64_t)span * 1000000),
			.client = c,
			.id = (uint32_t)below(100000),
			.endpoint = (uint8_t)ep,
			.status = failures[below(sizeof failures / sizeof failures[0])],
			.bytes = 200 + (uint32_t)below(4000),
			.dur_ms = 5 + (uint32_t)below(400),
		});
	}
	rng_state = seed;
	int64_t span_us = (int64_t)span * 1000000;
	uint32_t next_idem = 1;
	int64_t next_outage = outage_every;
	while (!distinct && nev < lines) {
		/* heavy clients: the first 5% make half of the traffic */
		uint32_t c = unit() < 0.5 ? (uint32_t)below(clients / 20 + 1) : (uint32_t)below(clients);
		unsigned ep = pick_endpoint();
		event e = {
			.t_us = (int64_t)below((uint64_t)span_us),
			.client = c,
			.id = (uint32_t)below(100000),
			.endpoint = (uint8_t)ep,
			.status = pick_status(ep),
			.bytes = 200 + (uint32_t)below(4000),
			.dur_ms = 5 + (uint32_t)below(400),
		};
		/* an outage: many clients fail at once (every 10 minutes of the span) */
		int fanout = 1;
		if (e.t_us > next_outage && next_outage < span_us) {
			e.t_us = next_outage;
			e.status = 503;
			fanout = outage_fanout;
			next_outage += outage_every;
		}
		for (int f = 0; f < fanout && nev < lines; f++) {
			event o = e;
			if (f) {
				o.client = (uint32_t)below(clients);
				o.t_us += (int64_t)below(3000);
			}
			if (!strcmp(endpoints[ep].method, "POST") && o.client % 3 == 0)
				o.idem = next_idem++;
			if (o.status == 429 && unit() < 0.5)
				o.retry_after = (uint8_t)(1 + below(2));
			push(o);
			/* how this client retries: 0 backoff + jitter, 1 immediate, 2 fixed 1 s,
			 * 3 never, 4 exact exponential (no jitter); 5 rekeys POSTs */
			int style = (int)(o.client % 6);
			bool retryable = o.status == 429 || o.status >= 500;
			bool blind = o.status >= 400 && o.status < 500 && o.status != 429 &&
				     (rich ? unit() < 0.8 : style == 1 && unit() < 0.5);
			if (!((retryable && style != 3) || blind))
				continue;
			int n = 1 + (int)below(blind ? 3 : 6);
			int64_t t = o.t_us + (int64_t)o.dur_ms * 1000;
			event prev = o;
			for (int k = 1; k <= n && nev < lines; k++) {
				int64_t wait;
				if (prev.retry_after)
					wait = prev.retry_after * 1000000LL + (int64_t)below(300000);
				else if (style == 0 || style == 5)
					wait = (1000LL << (k - 1 < 5 ? k - 1 : 5)) * 1000 + (int64_t)below(1000000);
				else if (style == 1)
					wait = (int64_t)below(50000);
				else if (style == 4)
					wait = (1000LL << (k - 1 < 5 ? k - 1 : 5)) * 1000;
				else
					wait = 1000000;
				t += wait;
				event r = o;
				r.t_us = trace ? t : t + 20000 + (int64_t)below(80000);
				r.status = blind ? o.status : (unit() < 0.4 ? 200 : o.status);
				r.retry_after = r.status == 429 && unit() < 0.5 ? (uint8_t)(1 + below(2)) : 0;
				r.dur_ms = 5 + (uint32_t)below(400);
				if (style == 5 && o.idem)
					r.idem = next_idem++;
				push(r);
				t = r.t_us + (int64_t)r.dur_ms * 1000;
				prev = r;
				if (r.status < 400)
					break;
			}
		}
	}
	for (size_t i = 0; i < nev; i++)
		ev[i].order = ev[i].t_us + (int64_t)below(disorder * 1000000 + 1);
	qsort(ev, nev, sizeof *ev, cmp);

	static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	char idbuf[64], path[160];
	for (size_t i = 0; i < nev; i++) {
		const event *e = &ev[i];
		time_t secs = (time_t)(start + e->t_us / 1000000);
		struct tm tm;
		gmtime_r(&secs, &tm);
		unsigned ep = e->endpoint;
		switch (endpoints[ep].id) {
		case 1:
			snprintf(idbuf, sizeof idbuf, "%" PRIu32, e->id);
			break;
		case 2:
			snprintf(idbuf, sizeof idbuf, "%08" PRIx32 "-4a1b-4c2d-8e3f-%012" PRIx32, e->id * 2654435761u,
				 e->id);
			break;
		case 3:
			snprintf(idbuf, sizeof idbuf, "%08" PRIx32 "%08" PRIx32 "%08" PRIx32, e->id, e->id * 40503u,
				 e->id ^ 0xdeadbeef);
			break;
		default:
			idbuf[0] = 0;
		}
		snprintf(path, sizeof path, endpoints[ep].fmt, idbuf);
		uint32_t c = e->client;
		if (trace) {
			printf("{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\",\"client_id\":\"client-%u\","
			       "\"method\":\"%s\",\"url\":\"%s\",\"status\":%u,\"duration_ms\":%u",
			       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			       (int)(e->t_us / 1000 % 1000), c, endpoints[ep].method, path, e->status, e->dur_ms);
			if (e->retry_after)
				printf(",\"retry_after\":%u", e->retry_after);
			if (e->idem)
				printf(",\"idempotency_key\":\"k-%u\"", e->idem);
			printf("}\n");
			continue;
		}
		if (json) {
			printf("{\"time_local\":\"%02d/%s/%04d:%02d:%02d:%02d +0000\",\"msec\":\"%lld.%03d\","
			       "\"remote_addr\":\"%u.%u.%u.%u\",\"request\":\"%s %s HTTP/1.1\",\"status\":\"%u\","
			       "\"body_bytes_sent\":\"%u\",\"request_time\":\"%u.%03u\",\"http_referer\":\"\","
			       "\"http_user_agent\":\"%s\",\"sent_http_retry_after\":\"",
			       tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
			       (long long)(start + e->t_us / 1000000), (int)(e->t_us / 1000 % 1000),
			       10 + c / 65536 % 200, c / 256 % 256, c % 256, 1 + c % 250, endpoints[ep].method, path,
			       e->status, e->status == 204 || e->status == 304 ? 0 : e->bytes, e->dur_ms / 1000,
			       e->dur_ms % 1000, uas[c % (sizeof uas / sizeof uas[0])]);
			if (e->retry_after)
				printf("%u", e->retry_after);
			printf("\",\"http_idempotency_key\":\"");
			if (e->idem)
				printf("k-%u", e->idem);
			printf("\"}\n");
			continue;
		}
		if (custom) {
			/* $remote_addr [$time_local] $msec $request_time "$request" $status
			 * $body_bytes_sent "$http_x_client_id" "$http_idempotency_key"
			 * "$sent_http_retry_after" $upstream_status "$http_user_agent" */
			printf("%u.%u.%u.%u [%02d/%s/%04d:%02d:%02d:%02d +0000] %lld.%03d %u.%03u \"%s %s HTTP/1.1\" "
			       "%u %u "
			       "\"-\" \"",
			       10 + c / 65536 % 200, c / 256 % 256, c % 256, 1 + c % 250, tm.tm_mday, mon[tm.tm_mon],
			       tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
			       (long long)(start + e->t_us / 1000000), (int)(e->t_us / 1000 % 1000), e->dur_ms / 1000,
			       e->dur_ms % 1000, endpoints[ep].method, path, e->status,
			       e->status == 204 || e->status == 304 ? 0 : e->bytes);
			if (e->idem)
				printf("k-%u", e->idem);
			else
				printf("-");
			printf("\" \"");
			if (e->retry_after)
				printf("%u", e->retry_after);
			else
				printf("-");
			printf("\" %u \"%s\"\n", e->status, uas[c % (sizeof uas / sizeof uas[0])]);
			continue;
		}
		printf("%u.%u.%u.%u - - [%02d/%s/%04d:%02d:%02d:%02d +0000] \"%s %s HTTP/1.1\" %u %u \"-\" \"%s\"\n",
		       10 + c / 65536 % 200, c / 256 % 256, c % 256, 1 + c % 250, tm.tm_mday, mon[tm.tm_mon],
		       tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, endpoints[ep].method, path, e->status,
		       e->status == 204 || e->status == 304 ? 0 : e->bytes, uas[c % (sizeof uas / sizeof uas[0])]);
	}
	free(ev);
	return 0;
}
