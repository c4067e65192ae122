/* pipeline.c - the steps analyze, ingest and report share. */
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
	return (rl_format_opts){a->fields.v, a->fields.n, a->client};
}

int cli_resolve_format(const char *cmd, cli_ingest_args *a)
{
	rl_err err;
	rl_err_clear(&err);
	if (a->log_format_name && !a->log_format_file)
		return cli_usage(cmd, "--log-format-name needs --log-format-file");
	if (a->log_format_file) {
		if (a->format && strcmp(a->format, "auto") != 0)
			return cli_usage(cmd, "--format and --log-format-file both name the format: give one");
		if (rl_nginx_conf_format(&a->format_buf, a->log_format_file, a->log_format_name, &err))
			return err.code == RL_EUSAGE ? cli_usage(cmd, "%s: %s", err.source, err.msg) : cli_fail(&err);
		a->format = a->format_buf;
	}
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
	rl_format_free(f);
	return EXIT_OK;
}

int cli_check_output(const char *cmd, const char *output)
{
	if (rl_renderer_find(output))
		return EXIT_OK;
	char known[256] = "";
	size_t k = 0;
	for (const rl_renderer *r = rl_renderers; r->name && k < sizeof known; r++)
		k += (size_t)snprintf(known + k, sizeof known - k, "%s%s", k ? ", " : "", r->name);
	return cli_usage(cmd, "--output: unknown format '%s' (known: %s)", output, known);
}

/* The run a signal stops (SPEC §4: SIGINT, SIGTERM and SIGHUP end it cleanly). */
static rl_ingest *volatile running;

static void on_stop_signal(int sig)
{
	rl_ingest *ing = running;
	if (ing)
		rl_ingest_stop(ing, sig); /* an atomic store; a second signal acts as usual (SA_RESETHAND) */
}

static void catch_stop_signals(bool on)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on ? on_stop_signal : SIG_DFL;
	sa.sa_flags = on ? SA_RESETHAND : 0; /* no SA_RESTART: a blocked read or poll returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static const char *signal_name(int sig)
{
	return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGHUP ? "SIGHUP" : "a signal";
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
		.keep_pending = strcmp(cmd, "ingest") == 0, /* analyze's input ends: its last line counts */
		.wrong_format_writes_nothing = strcmp(cmd, "ingest") == 0,
	};
	rl_ingest *ing;
	int rc = rl_ingest_new(&ing, st, &o, &err);
	if (rc)
		return cli_fail(&err);
	running = ing;
	catch_stop_signals(true);
	rc = rl_ingest_run(ing, (const char *const *)paths, n, &err);
	catch_stop_signals(false);
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
	/* the --field and --client the database was ingested with (one per line) */
	char *fields = NULL, *client = NULL;
	const char *fv[CLI_LIST_MAX];
	size_t nf = 0;
	if (rl_store_meta_dup(st, "format_fields", &fields, &err) < 0 ||
	    rl_store_meta_dup(st, "format_client", &client, &err) < 0) {
		free(fields);
		return cli_fail(&err);
	}
	for (char *p = fields, *nl; p && *p && nf < CLI_LIST_MAX; p = nl ? nl + 1 : p + strlen(p)) {
		if ((nl = strchr(p, '\n')))
			*nl = 0;
		fv[nf++] = p;
	}
	rl_store *copy;
	if (rl_store_open_copy(&copy, st, &err)) {
		free(fields);
		free(client);
		return cli_fail(&err);
	}
	bool quiet = true;
	rl_ingest_opts o = {.command = "report",
			    .format = "auto",
			    .format_opts = {.fields = fv, .nfields = nf, .client = client && *client ? client : NULL},
			    .policy = &id.policy,
			    .retry_window_us = id.retry_window_us,
			    .max_lag_us = lag,
			    .clock_skew_us = skew,
			    .notice = cli_notice,
			    .notice_ctx = &quiet};
	rl_ingest *ing;
	rc = rl_ingest_new(&ing, copy, &o, &err);
	if (!rc)
		rc = rl_ingest_run_pending(ing, &err);
	rl_ingest_free(ing);
	free(fields);
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

int cli_render(const char *cmd, rl_store *st, const rl_report_opts *ro, const char *output, const cli_list *fail_on)
{
	const rl_renderer *rd = rl_renderer_find(output);
	if (!rd)
		return cli_check_output(cmd, output);
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
	const char *nc = getenv("NO_COLOR");
	rl_render_opts o = {.color = isatty(1) && !(nc && *nc), .top = top};
	int wr = rd->fn(&rep, stdout, &o);
	rl_report_clear(&rep);
	if (wr || fflush(stdout)) {
		json_decref(doc);
		fprintf(stderr, "retrylens: cannot write the report to standard output\n");
		return EXIT_INPUT;
	}
	if (doc && check_thresholds(fail_on, th, doc))
		rc = EXIT_THRESHOLD;
	json_decref(doc);
	return rc;
}
