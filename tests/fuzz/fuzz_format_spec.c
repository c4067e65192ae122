/* fuzz_format_spec.c - the --format compilers and the nginx.conf reader on arbitrary text.
 *
 * The first input byte picks what the rest is:
 *   0  an nginx log_format        ("nginx:" + rest)
 *   1  an Apache LogFormat        ("apache:" + rest)
 *   2  a PCRE2 pattern            ("regex:" + rest)
 *   3  a JSON profile and --field options: the rest split at '\n', the first piece the
 *      profile ("json" when empty, else "json:PIECE"), the others --field NAME=PATH
 *   4  any spec as written        (rest, with --client when it holds a '\t': after it)
 *   5  an nginx.conf file         (rest, written to a memfd read through /proc/self/fd),
 *      its log_format then compiled by rl_format_new
 * Every format made parses a few fixed sample lines and is freed. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/format/format.h"

static const char *const samples[] = {
	"127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] 1136214245.123 0.042 \"GET /apache_pb.gif "
	"HTTP/1.0\" 200 2326 \"http://www.example.com/start.html\" \"Mozilla/4.08\" \"c1\" \"k1\" \"30\" 503",
	"{\"ts\":1700000000.5,\"request\":{\"method\":\"POST\",\"uri\":\"/v1/"
	"x\",\"headers\":{\"User-Agent\":[\"ua\"]}},"
	"\"status\":429,\"duration\":0.25,\"resp_headers\":{\"Retry-After\":[\"2\"]}}",
	"2024-01-02T03:04:05Z c1 GET /v1/leads 503 120",
	"",
};

static void try_spec(const char *spec, const rl_format_opts *opts)
{
	rl_format *f = NULL;
	rl_err err;
	if (rl_format_new(&f, spec, opts, &err) == 0) {
		rl_record rec;
		char why[256];
		for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
			size_t n = strlen(samples[i]);
			if (!rl_format_is_document(f))
				(void)rl_format_parse(f, samples[i], n, &rec);
			rl_format_explain(f, samples[i], n, why, sizeof why);
		}
		if (!rl_format_is_document(f))
			while (rl_format_end(f) != RL_REJECT_NONE)
				;
	}
	rl_format_free(f);
}

static void try_conf(const char *text, size_t n)
{
	static int fd = -1;
	if (fd < 0 && (fd = memfd_create("nginx.conf", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) || (n && pwrite(fd, text, n, 0) != (ssize_t)n))
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	const char *wants[] = {NULL, "main", "combined"};
	for (size_t i = 0; i < 3; i++) {
		char *spec = NULL;
		rl_err err;
		if (rl_nginx_conf_format(&spec, path, wants[i], &err) == 0 && spec)
			try_spec(spec, NULL);
		free(spec);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	unsigned kind = data[0] % 6;
	size_t n = size - 1;
	char *s = malloc(n + 16);
	if (!s)
		return 0;
	static const char *const prefix[] = {"nginx:", "apache:", "regex:"};
	if (kind <= 2) {
		size_t pl = strlen(prefix[kind]);
		memcpy(s, prefix[kind], pl);
		memcpy(s + pl, data + 1, n);
		s[pl + n] = 0;
		try_spec(s, NULL);
	} else if (kind == 3) {
		memcpy(s, data + 1, n);
		s[n] = 0;
		const char *fields[RL_FORMAT_FIELDS_MAX];
		size_t nfields = 0;
		char *nl = strchr(s, '\n');
		if (nl)
			*nl = 0;
		for (char *q = nl ? nl + 1 : NULL; q && nfields < RL_FORMAT_FIELDS_MAX;) {
			fields[nfields++] = q;
			q = strchr(q, '\n');
			if (q)
				*q++ = 0;
		}
		char *spec = malloc(strlen(s) + 8);
		if (spec) {
			strcpy(spec, *s ? "json:" : "json");
			strcat(spec, s);
			rl_format_opts o = {.fields = fields, .nfields = nfields};
			try_spec(spec, &o);
			free(spec);
		}
	} else if (kind == 4) {
		memcpy(s, data + 1, n);
		s[n] = 0;
		char *tab = strchr(s, '\t');
		if (tab)
			*tab = 0;
		rl_format_opts o = {.client = tab ? tab + 1 : NULL};
		try_spec(s, &o);
	} else {
		try_conf((const char *)data + 1, n);
	}
	free(s);
	return 0;
}
