/* pipeline.c - the steps analyze, ingest and report share. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "lib/base/defaults.h"
#include "lib/base/timestamp.h"
#include "lib/format/format.h"
#include "lib/format/proxy.h"
#include "lib/render/render.h"
#include "lib/render/threshold.h"
#include "lib/report/report.h"
#include "lib/store/identity.h"

int cli_load_policy(const char *name, rl_policy *out)
{
	rl_err err;
	rl_err_clear(&err);
	if (rl_policy_load(out, name && *name ? name : "default", &err))
		return cli_fail(&err);
	return EXIT_OK;
}

rl_format_opts cli_format_opts(const cli_ingest_args *a)
{
	return (rl_format_opts){.fields = a->fields.v,
				.nfields = a->fields.n,
				.client = a->client,
				.trusted_proxies = a->trusted_proxies.v,
				.ntrusted_proxies = a->trusted_proxies.n};
}

int cli_resolve_format(const char *cmd, cli_ingest_args *a)
{
	rl_err err;
	rl_err_clear(&err);
	if (a->log_format_name && !a->log_format_file)
		return cli_usage(cmd, "--log-format-name needs --log-format-file");
	if (a->shard && !rl_store_shard_parse(a->shard, &a->shard_i, &a->shard_n))
		return cli_usage(cmd, "--shard '%s': want I/N with 0 <= I < N <= 65536 (shard 0/4 is the first of 4)",
				 a->shard);
	if (a->log_format_file) {
		if (a->format && strcmp(a->format, "auto") != 0)
			return cli_usage(cmd, "--format and --log-format-file both name the format: give one");
		if (rl_nginx_conf_format(&a->format_buf, a->log_format_file, a->log_format_name, &err))
			return err.code == RL_EUSAGE ? cli_usage(cmd, "%s: %s", err.source, err.msg) : cli_fail(&err);
		a->format = a->format_buf;
	}
	/* --trusted-proxy: every range reads (a named format that logs no X-Forwarded-For
	 * gets a notice below: the option changes nothing there) */
	rl_proxy_table trusted = {.n = 0};
	for (size_t i = 0; i < a->trusted_proxies.n; i++)
		if (rl_proxy_table_add(&trusted, a->trusted_proxies.v[i], &err))
			return cli_usage(cmd, "%s %s", err.source, err.msg);
	rl_format_opts fo = cli_format_opts(a);
	const char *spec = a->format && strcmp(a->format, "auto") != 0 ? a->format : NULL;
	if (!spec && (a->fields.n || a->client)) {
		/* auto: check --field and --client against json, the format they mostly serve */
		spec = a->fields.n ? "json" : NULL;
	}
	if (!spec)
		return EXIT_OK;
	rl_format *f;
	if (rl_format_new(&f, spec, &fo, &err))
		return cli_usage(cmd, "%s: %s", err.source[0] ? err.source : "--format", err.msg);
	if (a->trusted_proxies.n && !rl_format_logs_forwarded_for(f) && !a->quiet)
		fprintf(stderr,
			"retrylens: --trusted-proxy: %.80s does not log X-Forwarded-For: the client is the address as "
			"logged\n",
			rl_format_name(f));
	rl_format_free(f);
	return EXIT_OK;
}

/* Adds ", name" (or "name" first) to buf, holding *k bytes. */
static void append_name(char *buf, size_t cap, size_t *k, const char *name)
{
	if (*k < cap)
		*k += (size_t)snprintf(buf + *k, cap - *k, "%s%s", *k ? ", " : "", name);
}

int cli_check_output(const char *cmd, const cli_output_args *o)
{
	char known[256] = "";
	if (!rl_renderer_find(o->output)) {
		size_t k = 0;
		for (const rl_renderer *r = rl_renderers; r->name; r++)
			append_name(known, sizeof known, &k, r->name);
		return cli_usage(cmd, "--output: unknown format '%s' (known: %s)", o->output, known);
	}
	if (o->table) {
		if (strcmp(o->output, "csv") != 0)
			return cli_usage(cmd, "--table chooses the table of --output csv (the other formats print "
					      "every table)");
		bool found = false;
		for (size_t i = 0; rl_csv_table(i); i++)
			found |= strcmp(rl_csv_table(i), o->table) == 0;
		if (!found) {
			size_t k = 0;
			for (size_t i = 0; rl_csv_table(i); i++)
				append_name(known, sizeof known, &k, rl_csv_table(i));
			return cli_usage(cmd, "--table: unknown table '%s' (known: %s)", o->table, known);
		}
	}
	if (o->file) {
		if (!*o->file)
			return cli_usage(cmd, "-o needs a file name");
		char dir[4096];
		const char *slash = strrchr(o->file, '/');
		if (!slash)
			snprintf(dir, sizeof dir, ".");
		else
			snprintf(dir, sizeof dir, "%.*s", slash == o->file ? 1 : (int)(slash - o->file), o->file);
		if (access(dir, W_OK) != 0)
			return cli_usage(cmd, "-o %s: cannot write in %s: %s", o->file, dir, strerror(errno));
	}
	return EXIT_OK;
}

/* Colour on a terminal only: never into a file or a pipe, with NO_COLOR, or TERM=dumb. */
static bool want_color(const cli_output_args *o)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	return !o->file && isatty(1) && !(nc && *nc) && !(term && strcmp(term, "dumb") == 0);
}

/* Writes the report with rd to o->file through FILE.tmp, renamed over FILE once it is
 * whole and on disk (a reader, such as the textfile collector, sees the old file or the
 * new one, never half of one); to stdout without -o. EXIT_OK or EXIT_INPUT (said). */
static int write_report(const rl_renderer *rd, const rl_report *rep, const cli_output_args *o, const rl_render_opts *ro)
{
	if (!o->file) {
		if (rd->fn(rep, stdout, ro) || fflush(stdout)) {
			fprintf(stderr, "retrylens: cannot write the report to standard output\n");
			return EXIT_INPUT;
		}
		return EXIT_OK;
	}
	size_t n = strlen(o->file) + 5;
	char *tmp = malloc(n);
	if (!tmp) {
		fprintf(stderr, "retrylens: %s: out of memory\n", o->file);
		return EXIT_INPUT;
	}
	snprintf(tmp, n, "%s.tmp", o->file);
	FILE *f = fopen(tmp, "w");
	int rc = EXIT_OK, e = 0;
	if (!f) {
		e = errno;
	} else {
		int wr = rd->fn(rep, f, ro);
		if (wr || fflush(f) || fsync(fileno(f)))
			e = errno ? errno : EIO;
		if (fclose(f) && !e)
			e = errno;
		if (!e && rename(tmp, o->file))
			e = errno;
		if (e)
			unlink(tmp);
	}
	if (e) {
		fprintf(stderr, "retrylens: %s: cannot write the report: %s (the file is as it was)\n", o->file,
			strerror(e));
		rc = EXIT_INPUT;
	}
	free(tmp);
	return rc;
}

/* The run a signal stops (SPEC §4: SIGINT, SIGTERM and SIGHUP end it cleanly). */
static rl_ingest *volatile running;

static void on_stop_signal(int sig)
{
	rl_ingest *ing = running;
	if (ing)
		rl_ingest_stop(ing, sig); /* an atomic store; a second signal acts as usual (SA_RESETHAND) */
}

void cli_catch_stop_signals(void (*on_stop)(int), bool on)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on ? on_stop : SIG_DFL;
	sa.sa_flags = on ? SA_RESETHAND : 0; /* no SA_RESTART: a blocked read or poll returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static const char *signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
}

/* --- progress on a terminal ------------------------------------------------------ */

static struct {
	int width; /* of the line shown, 0: none */
	int64_t start_us;
} prog;

/* "12.3 MiB" */
static void size_text(char *buf, size_t cap, uint64_t b)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)b;
	int u = 0;
	for (; v >= 1024 && u < 4; u++)
		v /= 1024;
	snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

/* "1,234,567" */
static void count_text(char *buf, size_t cap, uint64_t n)
{
	char digits[32];
	int k = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n), o = 0;
	for (int i = 0; i < k && o + 2 < (int)cap; i++) {
		if (i && (k - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = 0;
}

void cli_progress_clear(void)
{
	if (prog.width)
		fprintf(stderr, "\r%*s\r", prog.width, "");
	prog.width = 0;
}

/* One line on stderr, drawn again in place (spaces, not escapes: a dumb terminal too):
 * bytes, %, lines/s and ETA of files; bytes and a rate of a stream. */
static void on_progress(void *ctx, const rl_ingest_progress *p)
{
	(void)ctx;
	if (p->done) {
		cli_progress_clear();
		return;
	}
	double secs = (double)(rl_mono_us() - prog.start_us) / 1e6;
	if (secs < 0.2)
		return; /* a short run shows nothing */
	char line[160], read[32], total[32], lines[32], rate[32];
	size_text(read, sizeof read, p->bytes);
	count_text(lines, sizeof lines, p->lines);
	count_text(rate, sizeof rate, (uint64_t)((double)p->lines / secs));
	int k;
	if (p->total_bytes) {
		size_text(total, sizeof total, p->total_bytes);
		double done = p->bytes < p->total_bytes ? (double)p->bytes / (double)p->total_bytes : 1.0;
		double eta = done > 0 ? secs * (1 - done) / done : 0;
		k = snprintf(line, sizeof line, "retrylens: %s of %s (%.0f %%) · %s lines · %s lines/s · ETA %d:%02d",
			     read, total, done * 100, lines, rate, (int)eta / 60, (int)eta % 60);
	} else {
		k = snprintf(line, sizeof line, "retrylens: %s read · %s lines · %s lines/s", read, lines, rate);
	}
	int cols = 0; /* what the terminal shows: the middle dots are one column each */
	for (int i = 0; i < k; i++)
		cols += ((unsigned char)line[i] & 0xc0) != 0x80;
	fprintf(stderr, "\r%s%*s", line, prog.width > cols ? prog.width - cols : 0, "");
	prog.width = cols > prog.width ? cols : prog.width;
	fflush(stderr);
}

size_t cli_jobs(size_t asked)
{
	if (asked)
		return asked;
	/* on 2 cores the parser, the reorder thread and the writer fill them already: parts
	 * cost a few % there (tests/bench/run.sh, --jobs 2 against 1) and gain nothing */
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores <= 2 ? 1 : cores > 8 ? 8 : (size_t)cores;
}

int cli_run_ingest(const char *cmd, rl_store *st, const rl_policy *pol, const cli_ingest_args *a, char **paths,
		   size_t n, rl_ingest_stats *stats, bool *finished)
{
	*finished = false;
	rl_err err;
	rl_err_clear(&err);
	bool quiet = a->quiet;
	rl_ingest_opts o = {
		.command = cmd,
		.format = a->format,
		.format_opts = cli_format_opts(a),
		.policy = pol,
		.max_line = a->max_line,
		.flush_every_us = a->flush_every_us,
		.retry_window_us = a->retry_window_us,
		.max_lag_us = a->max_lag_us,
		.clock_skew_us = a->clock_skew_us,
		.notice = cli_notice,
		.notice_ctx = &quiet,
		.shard_i = a->shard_i,
		.shard_n = a->shard_n,
		.jobs = cli_jobs(a->jobs),
		.keep_pending = strcmp(cmd, "ingest") == 0, /* analyze's input ends: its last line counts */
		.all_time_latency = a->all_time_report,
		.wrong_format_writes_nothing = strcmp(cmd, "ingest") == 0,
	};
	prog.start_us = rl_mono_us();
	if (!quiet && isatty(2)) /* progress on a terminal only */
		o.progress = on_progress;
	rl_ingest *ing;
	int rc = rl_ingest_new(&ing, st, &o, &err);
	if (rc)
		return cli_fail(&err);
	running = ing;
	cli_catch_stop_signals(on_stop_signal, true);
	rc = rl_ingest_run(ing, (const char *const *)paths, n, &err);
	cli_progress_clear();
	cli_catch_stop_signals(on_stop_signal, false);
	running = NULL;
	rl_ingest_stats st_;
	rl_ingest_get_stats(ing, &st_);
	if (stats)
		*stats = st_;
	rl_ingest_free(ing);
	if (st_.stopped && (rc == 0 || rc == RL_EINPUT) && !quiet) {
		fprintf(stderr, "retrylens: stopped by %s: %s every whole line read (%llu lines)\n",
			signal_name(st_.stopped), strcmp(cmd, "analyze") == 0 ? "the report covers" : "committed",
			(unsigned long long)st_.lines);
		if (st_.dropped)
			fprintf(stderr,
				"retrylens: a last line of %llu bytes had no newline yet when the run stopped: not "
				"counted\n",
				(unsigned long long)st_.dropped);
	}
	if (rc == RL_EINPUT && err.code == 0) {
		/* an input failed midway: its lines so far and the other inputs were committed,
		 * and the message was shown by cli_notice; the exit code still says so */
		*finished = true;
		return EXIT_INPUT;
	}
	if (rc)
		return cli_fail(&err);
	*finished = true;
	return EXIT_OK;
}

/* The lines of s (cut in place) into v, at most CLI_LIST_MAX; s may be NULL. */
static size_t split_lines(char *s, const char **v)
{
	size_t n = 0;
	for (char *p = s, *nl; p && *p && n < CLI_LIST_MAX; p = nl ? nl + 1 : p + strlen(p)) {
		if ((nl = strchr(p, '\n')))
			*nl = 0;
		v[n++] = p;
	}
	return n;
}

int cli_pending_view(rl_store *st, rl_store **view)
{
	*view = st;
	rl_err err;
	rl_err_clear(&err);
	rl_store_query *q;
	int64_t pending = 0;
	if (rl_store_query_open(st, "sql/report/pending.sql", &q, &err))
		return cli_fail(&err);
	int rc = rl_store_query_step(q, &err);
	if (rc == 1)
		pending = rl_store_query_int(q, 0);
	rl_store_query_close(q);
	if (rc < 0)
		return cli_fail(&err);
	rl_store_identity id;
	if (!pending)
		return EXIT_OK;
	if (rl_store_identity_read(st, &id, &err))
		return cli_fail(&err);
	int64_t lag = RL_DEFAULT_MAX_LAG_US, skew = RL_DEFAULT_CLOCK_SKEW_US;
	if (rl_store_meta_get_i64(st, "max_lag_us", &lag, &err) < 0 ||
	    rl_store_meta_get_i64(st, "clock_skew_us", &skew, &err) < 0)
		return cli_fail(&err);
	/* the --field, --trusted-proxy and --client the database was ingested with */
	char *fields = NULL, *proxies = NULL, *client = NULL;
	const char *fv[CLI_LIST_MAX], *pv[CLI_LIST_MAX];
	size_t nf = 0, np = 0;
	rl_store *copy = NULL;
	if (rl_store_meta_dup(st, "format_fields", &fields, &err) < 0 ||
	    rl_store_meta_dup(st, "format_trusted_proxies", &proxies, &err) < 0 ||
	    rl_store_meta_dup(st, "format_client", &client, &err) < 0 || rl_store_open_copy(&copy, st, &err)) {
		free(fields);
		free(proxies);
		free(client);
		return cli_fail(&err);
	}
	nf = split_lines(fields, fv);
	np = split_lines(proxies, pv);
	bool quiet = true;
	rl_ingest_opts o = {.command = "report",
			    .format = "auto",
			    .format_opts = {.fields = fv,
					    .nfields = nf,
					    .client = client && *client ? client : NULL,
					    .trusted_proxies = pv,
					    .ntrusted_proxies = np},
			    .policy = &id.policy,
			    .retry_window_us = id.retry_window_us,
			    .max_lag_us = lag,
			    .clock_skew_us = skew,
			    .shard_i = id.shard_i,
			    .shard_n = id.shard_n, /* a shard's pending line is its own only if its client is */
			    .notice = cli_notice,
			    .notice_ctx = &quiet};
	rl_ingest *ing;
	rc = rl_ingest_new(&ing, copy, &o, &err);
	if (!rc)
		rc = rl_ingest_run_pending(ing, &err);
	rl_ingest_free(ing);
	free(fields);
	free(proxies);
	free(client);
	if (rc && !(rc == RL_EINPUT && err.code == 0)) {
		rl_store_close(copy);
		return cli_fail(&err);
	}
	*view = copy;
	return EXIT_OK;
}

/* Parses and resolves the thresholds against doc: EXIT_OK, or EXIT_USAGE (printed). */
static int resolve_fail_on(const char *cmd, const cli_list *fail_on, json_t *doc, rl_threshold *th)
{
	rl_err err;
	for (size_t i = 0; fail_on && i < fail_on->n; i++) {
		rl_err_clear(&err);
		if (rl_threshold_parse(fail_on->v[i], &th[i], &err) || rl_threshold_resolve(&th[i], doc, &err))
			return cli_usage(cmd, "%s: %s", err.source, err.msg);
	}
	return EXIT_OK;
}

int cli_check_fail_on(const char *cmd, rl_store *st, const rl_policy *pol, const cli_list *fail_on)
{
	if (!fail_on || !fail_on->n)
		return EXIT_OK;
	rl_err err;
	rl_err_clear(&err);
	rl_report rep;
	rl_report_opts ro = {.policy = pol};
	if (rl_report_build(&rep, st, &ro, &err))
		return cli_fail(&err);
	json_t *doc = rl_render_json_doc(&rep);
	rl_threshold th[CLI_LIST_MAX];
	int rc = doc ? resolve_fail_on(cmd, fail_on, doc, th) : EXIT_INPUT;
	json_decref(doc);
	rl_report_clear(&rep);
	return rc;
}

/* Prints a line for each crossed (or null) threshold; true when one was crossed. */
static bool check_thresholds(const cli_list *fail_on, const rl_threshold *th, json_t *doc)
{
	bool crossed = false;
	for (size_t i = 0; fail_on && i < fail_on->n; i++) {
		double v = 0;
		int r = rl_threshold_eval(&th[i], doc, &v);
		if (r < 0)
			fprintf(stderr,
				"retrylens: warning: --fail-on '%s': %s is null (nothing to measure): not crossed\n",
				th[i].text, th[i].path);
		else if (r)
			fprintf(stderr, "retrylens: --fail-on '%s' crossed: %s is %.15g (%s %.15g)\n", th[i].text,
				th[i].path, v, rl_threshold_op_name(th[i].op), th[i].value);
		crossed |= r > 0;
	}
	return crossed;
}

/* A --since/--until value: its µs, on a minute (a span back from now is taken from the
 * current minute). False with a message for anything else. */
static bool window_time(const char *cmd, const char *opt, const char *s, int64_t now_us, int64_t *us)
{
	if (!rl_timestamp_parse_when(s, rl_floor_div(now_us, RL_US_PER_MIN) * RL_US_PER_MIN, us)) {
		cli_usage(cmd,
			  "%s '%s': give RFC 3339 (2026-11-01T10:00:00Z), a date (2026-11-01), a span back from "
			  "now (24h, 7d, 30m) or today or yesterday",
			  opt, s);
		return false;
	}
	if (rl_floor_div(*us, RL_US_PER_MIN) * RL_US_PER_MIN != *us) {
		cli_usage(cmd, "%s '%s': the database counts whole minutes: give a time on a minute", opt, s);
		return false;
	}
	return true;
}

int cli_report_opts(const char *cmd, const cli_report_args *a, const rl_policy *pol, rl_report_opts *ro)
{
	*ro = (rl_report_opts){.policy = pol, .top = a->top, .since_us = INT64_MIN, .until_us = INT64_MAX};
	int64_t now = (int64_t)time(NULL) * RL_US_PER_S;
	if ((a->since && !window_time(cmd, "--since", a->since, now, &ro->since_us)) ||
	    (a->until && !window_time(cmd, "--until", a->until, now, &ro->until_us)))
		return EXIT_USAGE;
	ro->windowed = a->since || a->until;
	if (ro->since_us >= ro->until_us)
		return cli_usage(cmd, "--until %s is not after --since %s: the window is empty", a->until, a->since);
	if (!a->by)
		ro->by = RL_BY_AUTO;
	else if (strcmp(a->by, "minute") == 0)
		ro->by = RL_BY_MINUTE;
	else if (strcmp(a->by, "hour") == 0)
		ro->by = RL_BY_HOUR;
	else if (strcmp(a->by, "day") == 0)
		ro->by = RL_BY_DAY;
	else
		return cli_usage(cmd, "--by '%s': minute, hour or day", a->by);
	return EXIT_OK;
}

int cli_render(const char *cmd, rl_store *st, const rl_report_opts *ro, const cli_output_args *o,
	       const cli_list *fail_on)
{
	const rl_renderer *rd = rl_renderer_find(o->output);
	if (!rd)
		return cli_check_output(cmd, o);
	rl_err err;
	rl_err_clear(&err);
	rl_report rep;
	size_t top = ro->top;
	if (rl_report_build(&rep, st, ro, &err))
		return cli_fail(&err);
	/* thresholds read the numbers of the report's objects, which --top does not bound */
	json_t *doc = NULL;
	rl_threshold th[CLI_LIST_MAX];
	int rc = EXIT_OK;
	if (fail_on && fail_on->n) {
		doc = rl_render_json_doc(&rep);
		if (!doc)
			rl_err_set(&err, RL_ENOMEM, NULL, 0, "out of memory");
		rc = doc ? resolve_fail_on(cmd, fail_on, doc, th) : cli_fail(&err);
	}
	if (rc) {
		json_decref(doc);
		rl_report_clear(&rep);
		return rc;
	}
	rl_render_opts ropts = {.color = want_color(o), .top = top, .table = o->table};
	rc = write_report(rd, &rep, o, &ropts);
	rl_report_clear(&rep);
	if (!rc && doc && check_thresholds(fail_on, th, doc))
		rc = EXIT_THRESHOLD;
	json_decref(doc);
	return rc;
}
