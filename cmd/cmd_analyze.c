/* cmd_analyze.c - retrylens analyze: ingest into a temporary database, then report. */
#include <stdlib.h>

#include "cmd/cli.h"

int cmd_analyze(int argc, char **argv)
{
	cli_ingest_args a = {CLI_INGEST_DEFAULTS};
	cli_output_args out = {CLI_OUTPUT_DEFAULTS};
	cli_report_args ra = {CLI_REPORT_DEFAULTS};
	cli_list fail_on = {0};
	const cli_opt opts[] = {
		CLI_FORMAT_OPTS(a),
		{"--policy", CLI_STRING, &a.policy, "NAME|FILE",
		 "retry policy: a built-in name or a JSON file (default: default)"},
		CLI_OUTPUT_OPTS(out),
		CLI_REPORT_OPTS(ra),
		CLI_FAIL_ON_OPT(fail_on),
		{"--max-line", CLI_COUNT, &a.max_line, "BYTES", "longer lines are rejected (default 65536)"},
		CLI_RETRY_OPTS(a),
		CLI_JOBS_OPT(a),
		{"--quiet", CLI_FLAG, &a.quiet, NULL, "no notices or progress on stderr (errors still show)"},
		{NULL, 0, NULL, NULL, NULL},
	};
	const cli_cmd cmd = {
		"analyze",
		"[options] FILE...|-",
		"Reads access logs (plain, .gz, or - for stdin) into a temporary database and prints\n"
		"the report. Nothing is kept: use 'ingest' and 'report' to keep the aggregates.",
		"examples:\n"
		"  retrylens analyze /var/log/nginx/access.log\n"
		"  retrylens analyze --policy leaperone --output json access.log.1 access.log.2.gz\n"
		"  retrylens analyze --since 2026-11-29T10:00:00Z --until 2026-11-29T11:00:00Z access.log\n"
		"  retrylens analyze --output html -o report.html access.log\n"
		"  zcat old.log.gz | retrylens analyze -\n",
		opts,
	};
	char **pos;
	size_t npos;
	bool help;
	int rc = cli_parse(&cmd, argc, argv, &pos, &npos, &help);
	if (rc || help)
		goto done;
	if (npos == 0) {
		rc = cli_usage(cmd.name, "no input: name log files, or - for standard input");
		goto done;
	}
	rl_policy pol;
	rl_report_opts ro;
	if ((rc = cli_check_output(cmd.name, &out)) || (rc = cli_resolve_format(cmd.name, &a)) ||
	    (rc = cli_load_policy(a.policy, &pol)) || (rc = cli_report_opts(cmd.name, &ra, &pol, &ro)))
		goto done;
	ro.one_shot = true; /* input ends with this run: nothing carries open chains on */
	a.all_time_report = !ro.windowed; /* then nothing reads the latency by the minute */
	rl_store *st;
	rl_err err;
	rl_err_clear(&err);
	rl_store_opts so = {.temporary = true};
	if (rl_store_open(&st, "", &so, &err)) {
		rc = cli_fail(&err);
		goto done;
	}
	bool finished;
	if ((rc = cli_check_fail_on(cmd.name, st, &pol, &fail_on))) {
		rl_store_close(st);
		goto done;
	}
	rc = cli_run_ingest(cmd.name, st, &pol, &a, pos, npos, NULL, &finished);
	if (finished) {
		/* an input that failed midway still leaves a report of what was read; a missing
		 * input or a failed database leaves none. Exit 3 wins over a threshold's 1. */
		int rr = cli_render(cmd.name, st, &ro, &out, &fail_on);
		if (rr && !(rr == EXIT_THRESHOLD && rc))
			rc = rr;
	}
	rl_store_close(st);
done:
	free(a.format_buf);
	free(pos);
	return rc;
}
