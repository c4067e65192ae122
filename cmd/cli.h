/* cli.h - what every subcommand shares: the option table, messages, exit codes.
 *
 * One table per subcommand drives both parsing and --help (as libgit2's CLI does).
 * Only cmd/ prints to the user and chooses exit codes (SPEC §5). */
#ifndef RL_CLI_H
#define RL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/defaults.h"
#include "lib/base/err.h"
#include "lib/ingest.h"
#include "lib/classify/policy.h"
#include "lib/report/report.h"
#include "lib/store/store.h"

enum { EXIT_OK = 0, EXIT_THRESHOLD = 1, EXIT_USAGE = 2, EXIT_INPUT = 3 };

typedef enum cli_kind {
	CLI_FLAG, /* bool */
	CLI_STRING, /* const char * */
	CLI_COUNT, /* size_t, ≥ 0 */
	CLI_SECONDS, /* int64_t µs, from a decimal number of seconds */
	CLI_MILLIS, /* int64_t µs, from a decimal number of milliseconds */
	CLI_LIST /* cli_list: a repeatable option */
} cli_kind;

#define CLI_LIST_MAX 32
typedef struct cli_list {
	const char *v[CLI_LIST_MAX];
	size_t n;
} cli_list;

typedef struct cli_opt {
	const char *name; /* "--format" */
	cli_kind kind;
	void *target;
	const char *arg; /* "FMT" in the help */
	const char *help; /* one line */
} cli_opt;

typedef struct cli_cmd {
	const char *name; /* "analyze" */
	const char *usage; /* "[options] FILE...|-" */
	const char *summary; /* one line */
	const char *details; /* paragraphs after the options, may be NULL */
	const cli_opt *opts; /* ends with {NULL} */
} cli_cmd;

/* Parses argv[1..argc) against cmd->opts, storing positionals in *pos (argv pointers,
 * *npos of them). "--help" prints help and returns EXIT_OK with *help_shown. Returns 0,
 * or EXIT_USAGE after printing what was wrong. */
int cli_parse(const cli_cmd *cmd, int argc, char **argv, char ***pos, size_t *npos, bool *help_shown);

void cli_help(const cli_cmd *cmd);

/* "retrylens: SOURCE:LINE: MSG" on stderr; returns the exit code for err->code. */
int cli_fail(const rl_err *err);

/* Prints "retrylens CMD: MSG" to stderr and returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Exit code for an RL_E* code. */
int cli_exit_code(int rl_code);

/* The database path: --db, else $RETRYLENS_DB, else "retrylens.db". */
const char *cli_db_path(const char *opt);

/* Notice callback for rl_ingest_opts: "retrylens: SOURCE: MSG" on stderr; notices
 * are silenced by --quiet (ctx points to it), errors never. */
void cli_notice(void *quiet, const char *source, const char *msg, bool is_error);

/* The --wait option of the commands that write to a database (ingest, prune). */
#define CLI_WAIT_OPT(wait_us)                                                                          \
	{                                                                                              \
		"--wait", CLI_SECONDS, &(wait_us), "SECONDS",                                          \
			"while another run writes to the database, wait this long for it (default 60)" \
	}

/* The store options of a database's writer: its lock waits up to wait_us, and says so
 * on stderr ("another retrylens (PID N) is writing to it: waiting up to S s") unless
 * *quiet. */
rl_store_opts cli_writer_opts(int64_t wait_us, bool *quiet);

/* SIGINT, SIGTERM and SIGHUP to on_stop (on), once each and without SA_RESTART, so that
 * a blocked read returns and the run ends cleanly; or back to their defaults (off). */
void cli_catch_stop_signals(void (*on_stop)(int), bool on);

/* Takes the progress line off stderr (before a message, and at a run's end). */
void cli_progress_clear(void);

int cmd_analyze(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_policies(int argc, char **argv);
int cmd_prune(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_split(int argc, char **argv);
int cmd_check_format(int argc, char **argv);

/* --- shared by analyze, ingest and report (cmd/pipeline.c) ----------------------- */

typedef struct cli_ingest_args {
	const char *format;
	cli_list fields; /* --field */
	const char *client; /* --client */
	cli_list trusted_proxies; /* --trusted-proxy */
	const char *log_format_file, *log_format_name; /* --log-format-file, --log-format-name */
	char *format_buf; /* the spec read from --log-format-file (malloc'd) */
	const char *policy;
	size_t max_line;
	int64_t flush_every_us;
	int64_t retry_window_us, max_lag_us, clock_skew_us;
	const char *shard; /* ingest --shard I/N, parsed into shard_i, shard_n by cli_resolve_format */
	uint32_t shard_i, shard_n;
	size_t jobs; /* --jobs: retry workers (0: the cores, at most 8) */
	bool quiet;
	bool all_time_report; /* analyze without --since/--until: the only report reads all time */
} cli_ingest_args;

/* The defaults of SPEC §3 (lib/base/defaults.h): a 120 s retry window, 60 s of disorder, no clock skew. */
#define CLI_INGEST_DEFAULTS                                                                                   \
	.format = "auto", .retry_window_us = RL_DEFAULT_RETRY_WINDOW_US, .max_lag_us = RL_DEFAULT_MAX_LAG_US, \
	.clock_skew_us = RL_DEFAULT_CLOCK_SKEW_US

/* The options analyze and ingest share, for their option tables. */
#define CLI_RETRY_OPTS(a)                                                                           \
	{"--retry-window", CLI_SECONDS, &(a).retry_window_us, "SECONDS",                            \
	 "a retry starts at most this long after a failure (default 120)"},                         \
		{"--max-lag", CLI_SECONDS, &(a).max_lag_us, "SECONDS",                              \
		 "input up to this much out of time order is put back in order (default 60)"},      \
	{                                                                                           \
		"--clock-skew", CLI_MILLIS, &(a).clock_skew_us, "MS",                               \
			"added to the tolerance between attempts from different inputs (default 0)" \
	}

/* --jobs, of analyze and ingest. */
#define CLI_JOBS_OPT(a)                                                                                              \
	{                                                                                                            \
		"--jobs", CLI_COUNT, &(a).jobs, "N",                                                                 \
			"retry workers, each judging the clients of a shard (default: the cores, at most 8; 1 on 2 " \
			"cores)"                                                                                     \
	}

/* The input-format options analyze, ingest and check-format share. */
#define CLI_FORMAT_OPTS(a)                                                                                \
	{"--format", CLI_STRING, &(a).format, "FMT",                                                      \
	 "auto (default), combined, common, vcombined, alb, json[:PROFILE], trace, har, "                 \
	 "nginx:'LOG_FORMAT', apache:'LOGFORMAT', regex:'PCRE2'"},                                        \
		{"--log-format-file", CLI_STRING, &(a).log_format_file, "NGINX.CONF",                     \
		 "read the format from an nginx config (with --log-format-name)"},                        \
		{"--log-format-name", CLI_STRING, &(a).log_format_name, "NAME",                           \
		 "the log_format to use from --log-format-file (default: the only one)"},                 \
		{"--field", CLI_LIST, &(a).fields, "NAME=PATH[:UNIT]",                                    \
		 "json: where a field is (repeatable), e.g. time=ts:start, duration=took:ms"},            \
		{"--client", CLI_STRING, &(a).client, "FIELD",                                            \
		 "the field that names the client (e.g. http_x_api_key; key-like names are hashed)"},     \
	{                                                                                                 \
		"--trusted-proxy", CLI_LIST, &(a).trusted_proxies, "CIDR",                                \
			"a proxy range (repeatable): the client is the right-most X-Forwarded-For entry " \
			"outside them"                                                                    \
	}

/* Resolves --log-format-file into a->format and checks the format, --field and
 * --client before any input is read: EXIT_USAGE with a message when wrong. */
int cli_resolve_format(const char *cmd, cli_ingest_args *a);

/* The rl_format_opts of the arguments. */
rl_format_opts cli_format_opts(const cli_ingest_args *a);

/* Loads --policy (default "default"); prints the error and returns EXIT_USAGE on failure. */
int cli_load_policy(const char *name, rl_policy *out);

/* --jobs: as asked, else the cores (at most 8; 1 on 1 or 2 cores). */
size_t cli_jobs(size_t asked);

/* Ingests paths into st. Returns EXIT_OK, EXIT_INPUT (an input failed midway: what
 * was read is committed, the message printed) or an exit code after a fatal error (a
 * missing input, a database that cannot be written: the message printed). *finished
 * says whether the run reached its final commit (EXIT_OK, or an input failed midway):
 * only then do stats and a report stand for what the database holds. */
int cli_run_ingest(const char *cmd, rl_store *st, const rl_policy *pol, const cli_ingest_args *a, char **paths,
		   size_t n, rl_ingest_stats *stats, bool *finished);

/* The --fail-on option, for analyze's and report's option tables. */
#define CLI_FAIL_ON_OPT(list)                                                                           \
	{                                                                                               \
		"--fail-on", CLI_LIST, &(list), "'METRIC OP N'",                                        \
			"exit 1 when the report crosses it (repeatable): 'blind_4xx_retry_rate>0.01', " \
			"'retries.backoff.compliance_rate<0.9'"                                         \
	}

/* Checks every --fail-on against the report st holds now (analyze: its empty database,
 * before any input is read): EXIT_USAGE with a message for a bad or unknown one. */
int cli_check_fail_on(const char *cmd, rl_store *st, const rl_policy *pol, const cli_list *fail_on);

/* What analyze and report print: --top, and the window --since/--until/--by. */
typedef struct cli_report_args {
	size_t top;
	const char *since, *until, *by;
} cli_report_args;

#define CLI_REPORT_DEFAULTS .top = 20

#define CLI_REPORT_OPTS(a)                                                                                  \
	{"--top", CLI_COUNT, &(a).top, "N", "rows of the endpoint and client tables (default 20; 0: all)"}, \
		{"--since", CLI_STRING, &(a).since, "T",                                                    \
		 "count only from T: RFC 3339, a date, 24h, 7d, today, yesterday (whole minutes)"},         \
		{"--until", CLI_STRING, &(a).until, "T", "count only before T (the same forms)"},           \
	{                                                                                                   \
		"--by", CLI_STRING, &(a).by, "minute|hour|day",                                             \
			"the timeline's buckets (default: minute up to 6 h, hour up to 14 days, else day)"  \
	}

/* The report options of the arguments (policy pol, may be NULL and set later): EXIT_USAGE with a message for a
 * time that cannot be read, a window that ends before it starts, or an unknown --by. */
int cli_report_opts(const char *cmd, const cli_report_args *a, const rl_policy *pol, rl_report_opts *ro);

/* Where and how a report is written: --output, -o and --table. */
typedef struct cli_output_args {
	const char *output; /* a renderer's name (lib/render/render.h) */
	const char *file; /* -o: written to FILE.tmp, then renamed over FILE; NULL: stdout */
	const char *table; /* --table, for csv (default endpoints) */
} cli_output_args;

#define CLI_OUTPUT_DEFAULTS .output = "text"

#define CLI_OUTPUT_OPTS(a)                                                                                         \
	{"--output", CLI_STRING, &(a).output, "FMT", "text (default), json, csv, markdown, html or prometheus"},   \
		{"-o", CLI_STRING, &(a).file, "FILE",                                                              \
		 "write the report to FILE, atomically (FILE.tmp, then renamed; default: stdout)"},                \
	{                                                                                                          \
		"--table", CLI_STRING, &(a).table, "NAME",                                                         \
			"csv: the table, status|endpoints|clients|sdks|errors|timeline|storms (default endpoints)" \
	}

/* Builds the report from st and writes it where o says, then checks the --fail-on
 * thresholds: one line on stderr for each one crossed (and for a null value, which
 * never crosses), and EXIT_THRESHOLD when any was. A bad threshold is EXIT_USAGE before
 * anything is written; a report that cannot be written is EXIT_INPUT, naming the file
 * (and -o's FILE is then left as it was). */
int cli_render(const char *cmd, rl_store *st, const rl_report_opts *ro, const cli_output_args *o,
	       const cli_list *fail_on);

/* The database a report reads: st, or, when files have a pending last line (one
 * without its newline yet, SPEC §4), a copy of it into which those lines were counted
 * as if input ended there (the caller closes *view when it is not st). Returns EXIT_OK
 * or the exit code of a failure (printed). */
int cli_pending_view(rl_store *st, rl_store **view);

/* Checks --output, --table and -o before any input is read: EXIT_USAGE with a message
 * for an unknown format or table, a --table without csv, or an -o whose directory
 * cannot be written. */
int cli_check_output(const char *cmd, const cli_output_args *o);

#endif
