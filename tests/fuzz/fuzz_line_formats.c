/* fuzz_line_formats.c - every line format on arbitrary lines.
 *
 * The first input byte picks a --format spec from the table below; the rest is split at
 * '\n' and each line, copied to a buffer of exactly its size (so ASan sees any read past
 * it), goes through rl_format_parse(), then rl_format_end() drains what the format held
 * (a CRI partial line). The first few lines also go through rl_format_explain(). Formats
 * are made once per spec and kept (compiling a pattern costs far more than a line), but
 * bare "json", which chooses its profile from the first access record it sees, is made
 * anew for every input so that choice is part of the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/format/format.h"

static const char *const specs[] = {
	"combined",
	"common",
	"vcombined",
	"alb",
	"json",
	"json:caddy",
	"json:envoy",
	"json:traefik",
	"json:cloudflare",
	"json:nginx",
	"trace",
	/* the layouts of fixtures/nginx-custom, apache-custom and regex-app */
	"nginx:$remote_addr [$time_local] $msec $request_time \"$request\" $status $body_bytes_sent "
	"\"$http_x_client_id\" \"$http_idempotency_key\" \"$sent_http_retry_after\" $upstream_status "
	"\"$http_user_agent\"",
	"nginx:{\"t\":\"$msec\",\"req\":\"$request\",\"st\":$status,\"rt\":$request_time,"
	"\"ua\":\"$http_user_agent\",\"up\":\"$upstream_status\"}",
	"apache:%h %l %u %t \"%r\" %>s %b %D \"%{Referer}i\" \"%{User-Agent}i\" \"%{X-Client-Id}i\" "
	"%{Retry-After}o",
	"regex:^(?<time_start>\\S+) (?<client>\\S+) (?<method>\\S+) (?<target>\\S+) (?<status>\\d{3}) "
	"(?<duration_ms>\\d+)$",
	"cri>combined",
	"cri>json",
	"fluentbit>json",
	"vector>combined",
	"compose>json",
	"compose>trace",
};
#define NSPECS (sizeof specs / sizeof specs[0])

static rl_format *cache[NSPECS];

static rl_format *format_for(size_t k)
{
	if (!strcmp(specs[k], "json")) {
		rl_format_free(cache[k]);
		cache[k] = NULL;
	}
	if (!cache[k]) {
		rl_err err;
		if (rl_format_new(&cache[k], specs[k], NULL, &err))
			abort(); /* every spec above is valid */
	}
	return cache[k];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	rl_format *f = format_for(data[0] % NSPECS);
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	rl_record rec;
	char why[512];
	int lineno = 0;
	while (p <= end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = malloc(n ? n : 1);
		if (!line)
			return 0;
		memcpy(line, p, n);
		rl_reject rj = rl_format_parse(f, line, n, &rec);
		if (rj >= RL_REJECT_COUNT)
			abort();
		(void)rl_reject_text(rj);
		if (lineno++ < 4)
			rl_format_explain(f, line, n, why, sizeof why);
		free(line);
		if (!nl)
			break;
		p = nl + 1;
	}
	for (int i = 0; i < 1000 && rl_format_end(f) != RL_REJECT_NONE; i++)
		;
	return 0;
}
