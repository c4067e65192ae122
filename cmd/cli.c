/* cli.c - option parsing, help and messages shared by the subcommands. */
#include "cmd/cli.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/text.h"
#include "lib/base/timestamp.h"

void cli_help(const cli_cmd *cmd)
{
	printf("usage: retrylens %s %s\n\n%s\n", cmd->name, cmd->usage, cmd->summary);
	if (cmd->opts && cmd->opts[0].name) {
		printf("\noptions:\n");
		for (const cli_opt *o = cmd->opts; o->name; o++) {
			char left[64];
			snprintf(left, sizeof left, "%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
			printf("  %-24s %s\n", left, o->help);
		}
		printf("  %-24s %s\n", "--help", "show this help");
	}
	if (cmd->details)
		printf("\n%s", cmd->details);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "retrylens %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'retrylens %s --help')\n", cmd);
	return EXIT_USAGE;
}

static bool parse_seconds(const char *s, int64_t *us)
{
	return rl_duration_parse(rl_str_make(s, strlen(s)), 1000000, us, NULL);
}

static int set_value(const cli_cmd *cmd, const cli_opt *o, const char *v)
{
	uint64_t n;
	switch (o->kind) {
	case CLI_STRING:
		*(const char **)o->target = v;
		return 0;
	case CLI_COUNT:
		if (!rl_parse_u64(rl_str_make(v, strlen(v)), &n))
			return cli_usage(cmd->name, "%s wants a whole number, not '%s'", o->name, v);
		*(size_t *)o->target = (size_t)n;
		return 0;
	case CLI_SECONDS:
		if (!parse_seconds(v, (int64_t *)o->target))
			return cli_usage(cmd->name, "%s wants a number of seconds, not '%s'", o->name, v);
		return 0;
	case CLI_MILLIS:
		if (!rl_duration_parse(rl_str_make(v, strlen(v)), 1000, (int64_t *)o->target, NULL))
			return cli_usage(cmd->name, "%s wants a number of milliseconds, not '%s'", o->name, v);
		return 0;
	case CLI_LIST: {
		cli_list *l = o->target;
		if (l->n == CLI_LIST_MAX)
			return cli_usage(cmd->name, "%s given more than %d times", o->name, CLI_LIST_MAX);
		l->v[l->n++] = v;
		return 0;
	}
	case CLI_FLAG:
		break;
	}
	return 0;
}

int cli_parse(const cli_cmd *cmd, int argc, char **argv, char ***pos, size_t *npos, bool *help_shown)
{
	*help_shown = false;
	*npos = 0;
	*pos = calloc((size_t)argc + 1, sizeof **pos);
	if (!*pos)
		return cli_usage(cmd->name, "out of memory");
	bool only_pos = false;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (only_pos || a[0] != '-' || strcmp(a, "-") == 0) {
			(*pos)[(*npos)++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			cli_help(cmd);
			*help_shown = true;
			return EXIT_OK;
		}
		const char *eq = strchr(a, '=');
		size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
		const cli_opt *o = cmd->opts;
		for (; o && o->name; o++)
			if (strlen(o->name) == nlen && strncmp(o->name, a, nlen) == 0)
				break;
		if (!o || !o->name)
			return cli_usage(cmd->name, "unknown option '%.*s'", (int)nlen, a);
		if (o->kind == CLI_FLAG) {
			if (eq)
				return cli_usage(cmd->name, "%s takes no value", o->name);
			*(bool *)o->target = true;
			continue;
		}
		const char *v = eq ? eq + 1 : NULL;
		if (!v) {
			if (i + 1 >= argc)
				return cli_usage(cmd->name, "%s needs a value (%s)", o->name,
						 o->arg ? o->arg : "VALUE");
			v = argv[++i];
		}
		int rc = set_value(cmd, o, v);
		if (rc)
			return rc;
	}
	return 0;
}

int cli_exit_code(int rl_code)
{
	switch (rl_code) {
	case RL_OK:
		return EXIT_OK;
	case RL_EUSAGE:
		return EXIT_USAGE;
	default:
		return EXIT_INPUT;
	}
}

int cli_fail(const rl_err *err)
{
	char src[300] = "";
	if (err->source[0] && err->line > 0)
		snprintf(src, sizeof src, "%s:%lld: ", err->source, err->line);
	else if (err->source[0])
		snprintf(src, sizeof src, "%s: ", err->source);
	fprintf(stderr, "retrylens: %s%s\n", src, err->msg[0] ? err->msg : "failed");
	return cli_exit_code(err->code ? err->code : RL_EINPUT);
}

const char *cli_db_path(const char *opt)
{
	if (opt && *opt)
		return opt;
	const char *env = getenv("RETRYLENS_DB");
	return env && *env ? env : "retrylens.db";
}

void cli_notice(void *quiet, const char *source, const char *msg, bool is_error)
{
	if (!is_error && quiet && *(bool *)quiet)
		return;
	cli_progress_clear();
	fprintf(stderr, "retrylens: %s: %s\n", source, msg);
}

static void waiting(void *quiet, const char *path, long pid, int64_t wait_us)
{
	if (quiet && *(bool *)quiet)
		return;
	if (pid > 0)
		fprintf(stderr, "retrylens: %s: another retrylens (PID %ld) is writing to it: waiting up to %.0f s\n",
			path, pid, wait_us / 1e6);
	else
		fprintf(stderr, "retrylens: %s: another retrylens is writing to it: waiting up to %.0f s\n", path,
			wait_us / 1e6);
}

rl_store_opts cli_writer_opts(int64_t wait_us, bool *quiet)
{
	return (rl_store_opts){.writer = true, .wait_us = wait_us, .waiting = waiting, .waiting_ctx = quiet};
}
