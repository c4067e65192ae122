/* cmd_split.c - retrylens split: the map step of a shuffle by client (SPEC §4). */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cli.h"
#include "lib/split/split.h"

static rl_split *running;

static void on_stop_signal(int sig)
{
	if (running)
		rl_split_stop(running, sig);
}

int cmd_split(int argc, char **argv)
{
	cli_ingest_args a = {CLI_INGEST_DEFAULTS};
	const char *out = NULL;
	size_t shards = 0;
	const cli_opt opts[] = {
		{"--shards", CLI_COUNT, &shards, "N", "the number of shards, at most 1024 (required)"},
		{"--out", CLI_STRING, &out, "DIR", "where shard-I-of-N.log.gz go (created if missing; required)"},
		CLI_FORMAT_OPTS(a),
		{"--max-line", CLI_COUNT, &a.max_line, "BYTES",
		 "the --max-line of the ingests that read the parts (default 65536)"},
		{"--quiet", CLI_FLAG, &a.quiet, NULL, "no notices or summary on stderr (errors still show)"},
		{NULL, 0, NULL, NULL, NULL},
	};
	const cli_cmd cmd = {
		"split",
		"--shards N --out DIR [options] FILE...|-",
		"Reads the inputs once (merged by time, as ingest reads them) and writes each line,\n"
		"unchanged, to DIR/shard-I-of-N.log.gz, I the shard of its client: FNV-1a 64 of the\n"
		"client string, mod N. Lines that hold no record go to shard 0. Ingest each part with\n"
		"--shard I/N (on any machine), then merge the shard databases: the numbers of one process.",
		"Give the ingests the same --format, --field, --client and --trusted-proxy (they say who\n"
		"the client is). A part's source is the part: give ingest the original files with --shard\n"
		"instead to keep them apart (--clock-skew, sources[]). A HAR is ingested with --shard.\n\n"
		"examples:\n"
		"  retrylens split --shards 4 --out parts/ web-*/access.log.gz\n"
		"  retrylens ingest --db shard-2.db --shard 2/4 parts/shard-2-of-4.log.gz\n",
		opts,
	};
	char **pos;
	size_t npos;
	bool help;
	int rc = cli_parse(&cmd, argc, argv, &pos, &npos, &help);
	if (rc || help)
		goto done;
	if (!shards || shards > 1024) {
		rc = shards ? cli_usage(
				      cmd.name,
				      "--shards %zu: at most 1024 (each part holds a gzip stream of its own; route by "
				      "client in the pipeline and ingest --shard I/N for more)",
				      shards)
			    : cli_usage(cmd.name, "--shards N is required (N >= 1)");
		goto done;
	}
	if (!out) {
		rc = cli_usage(cmd.name, "--out DIR is required: where the parts go");
		goto done;
	}
	if (npos == 0) {
		rc = cli_usage(cmd.name, "no input: name log files, or - for standard input");
		goto done;
	}
	if ((rc = cli_resolve_format(cmd.name, &a)))
		goto done;
	rl_err err;
	rl_err_clear(&err);
	bool quiet = a.quiet;
	rl_split_opts so = {.format = a.format,
			    .format_opts = cli_format_opts(&a),
			    .max_line = a.max_line,
			    .shards = (uint32_t)shards,
			    .out_dir = out,
			    .notice = cli_notice,
			    .notice_ctx = &quiet};
	rl_split *sp;
	if (rl_split_new(&sp, &so, &err)) {
		rc = cli_fail(&err);
		goto done;
	}
	running = sp;
	cli_catch_stop_signals(on_stop_signal, true);
	int r = rl_split_run(sp, (const char *const *)pos, npos, &err);
	cli_catch_stop_signals(on_stop_signal, false);
	running = NULL;
	const rl_split_stats *st = rl_split_stats_of(sp);
	if (r == RL_EUSAGE)
		rc = cli_usage(cmd.name, "%s: %s", err.source, err.msg);
	else if (r && err.code)
		rc = cli_fail(&err);
	else
		rc = r ? EXIT_INPUT : EXIT_OK; /* an input failed midway: said by its notice */
	if ((!r || (r == RL_EINPUT && !err.code)) && !quiet) {
		if (st->stopped)
			fprintf(stderr, "retrylens: stopped by a signal: every whole line read is written\n");
		fprintf(stderr, "retrylens: split %llu lines (%llu with no record, in shard 0) into %zu parts in %s\n",
			(unsigned long long)st->lines, (unsigned long long)st->others, shards, out);
	}
	rl_split_free(sp);
done:
	free(a.format_buf);
	free(pos);
	return rc;
}
