/* report/report.h - the report model: every number SPEC §6 names, read from a store.
 *
 * rl_report_build() runs the queries of sql/report/ and applies the policy's
 * classification (so `report --policy` can re-classify stored statuses). The retry
 * part (report_retries.c) adds what the database holds of the retry analysis and
 * judges the chains still open as if input ended there, with the policy the database
 * was built with. Renderers (lib/render/) read only this model. Rates are computed
 * here: a rate whose denominator is 0 is "null" (valid false). */
#ifndef RL_REPORT_H
#define RL_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/aggregate/clients.h"
#include "lib/base/err.h"
#include "lib/classify/policy.h"
#include "lib/retry/evidence.h"
#include "lib/retry/lockstep.h"
#include "lib/store/store.h"

typedef struct rl_rate {
	bool valid; /* false: the denominator was 0 (JSON null) */
	double value;
} rl_rate;

typedef struct rl_report_source {
	char *name, *format;
	uint64_t lines, rejected, late;
	uint64_t skipped; /* not access records */
	int64_t time_res_us; /* the resolution of its times (SPEC §3.1.1), 0: unknown */
} rl_report_source;

typedef struct rl_report_status {
	int status; /* -1: not logged */
	uint64_t count;
	bool failure, retryable;
} rl_report_status;

typedef struct rl_report_endpoint {
	char *endpoint, *method;
	int64_t endpoint_id, method_id; /* database ids */
	uint64_t attempts, errors, retries, blind_4xx;
	int64_t p50_us, p95_us, p99_us; /* -1: no durations logged */
} rl_report_endpoint;

#define RL_REPORT_BURSTS RL_LOCKSTEP_BURSTS
typedef rl_lockstep_burst rl_report_burst; /* lib/retry/lockstep.h */

typedef struct rl_report_client {
	char *name;
	uint64_t hash;
	uint64_t v[RL_CL_N]; /* RL_CL_* */
	unsigned ev_violations;
	int64_t ev_start;
	rl_evidence_doc *evidence; /* one chain of the client's (lib/retry/evidence.h), or NULL */
} rl_report_client;

/* One error row (SPEC §6 errors[]): strings are NULL when the bodies did not say them. */
typedef struct rl_report_error {
	int status;
	char *type, *code;
	char *message; /* the template ("Lead {n} not found"), "{other}" past the cap */
	char *sample; /* the first message of the row as sent */
	uint64_t count; /* attempts */
} rl_report_error;

typedef struct rl_report_sample {
	char *source, *reason, *excerpt;
	long long line;
} rl_report_sample;

/* The buckets of the timeline (SPEC §6), aligned to UTC. */
typedef enum rl_report_by { RL_BY_AUTO, RL_BY_MINUTE, RL_BY_HOUR, RL_BY_DAY } rl_report_by;

/* One timeline bucket: attempts, errors, retryable errors at their start, retries and
 * blind 4xx retries at theirs. */
typedef struct rl_report_bucket {
	int64_t start_us;
	uint64_t attempts, errors, retryable_errors, retries, blind_4xx;
} rl_report_bucket;

typedef struct rl_report {
	char generated_at[32];
	bool has_window;
	int64_t from_us, to_us;
	const rl_policy *policy;
	/* what the database is (SPEC §4): a merge of shards or of hosts' databases (mode
	 * "none" otherwise) of inputs leaves; or one shard, shard_i of shard_n (0: none) */
	char merged_mode[8];
	int64_t merged_inputs;
	uint32_t merged_of; /* shards: N (merged_inputs < N: some shards are missing) */
	uint32_t shard_i, shard_n;

	rl_report_source *sources;
	size_t nsources;

	struct {
		uint64_t attempts, success, errors, unknown_status, retryable_errors, non_retryable_errors;
		rl_rate retryable_rate, non_retryable_rate, retryable_share_of_errors;
	} totals;

	rl_report_status *status;
	size_t nstatus;

	struct {
		uint64_t chains;
		uint64_t count[RL_RC_N]; /* retries, blind, unsafe, checked, by verdict (lib/retry/verdict.h) */
		rl_rate amplification, blind_4xx_retry_rate, compliance_rate;
		uint64_t recovered, gave_up, open;
		/* of gave_up and of open: the chains of a single failed attempt, never retried
		 * (a lone 404 is one); JSON's unretried_failures is their sum */
		uint64_t gave_up_single, open_single;
		uint64_t lockstep_retries, lockstep_clients, rekeyed_attempts, rekeyed_clients;
		rl_report_burst bursts[RL_REPORT_BURSTS];
		size_t nbursts;
		char policy[64]; /* the policy the retries were judged with (the database's) */
		/* What could be judged at all (SPEC §3 rules 4 and lockstep need tol ≤ 1 ms):
		 * require_jitter: that policy asks for jitter, so backoff rule 4 applies;
		 * ms_times: some source's times have 1 ms resolution or finer. A retry's tol is
		 * at least the resolution of both its attempts' times (unknown counts as 1 s),
		 * so without ms_times no retry can reach rule 4 or be a lockstep candidate.
		 * ms_times looks at every source of the database, not only the window's, and at
		 * times only (a coarse duration or --clock-skew can still keep retries out):
		 * false means "could not be judged" for sure, true only "could have been". */
		bool require_jitter, ms_times;
	} retries;

	rl_report_client *clients; /* the top --top by violations, then attempts, then name */
	size_t nclients;
	bool clients_capped; /* the database dropped clients with the fewest violations */

	rl_report_error *errors; /* the top --top by count, then status, then template */
	size_t nerrors;
	bool errors_capped; /* the template table hit its cap: "{other}" rows hold the rest */

	rl_report_endpoint *endpoints;
	size_t nendpoints;
	bool endpoints_capped; /* the template table hit its cap: "{other}" holds the rest */

	uint64_t rejected;
	rl_report_sample *samples;
	size_t nsamples;

	/* --since/--until: the numbers count what SPEC §3's time attribution puts in
	 * [since, until) (whole minutes); sources, rejected lines and clients stay all-time */
	bool windowed;
	int64_t since_us, until_us; /* INT64_MIN / INT64_MAX: open */
	bool one_shot; /* analyze: input ended with this run, nothing carries open chains on */
	rl_report_by by; /* the timeline's buckets (never AUTO once built) */
	rl_report_bucket *timeline; /* dense, from the first bucket with attempts to the last */
	size_t ntimeline;
} rl_report;

typedef struct rl_report_opts {
	const rl_policy *policy; /* required */
	size_t top; /* rows of the per-endpoint and error tables; 0: all */
	size_t max_samples; /* rejected samples shown; 0: 20 */
	/* a time window (SPEC §5 --since/--until), on minute boundaries; windowed false:
	 * all time */
	bool windowed;
	int64_t since_us, until_us; /* INT64_MIN / INT64_MAX: open on that side */
	rl_report_by by; /* AUTO: minute up to 6 h, hour up to 14 days, else day */
	bool one_shot; /* analyze's report of its temporary database (rl_report.one_shot) */
} rl_report_opts;

/* The minute range [*lo, *hi) of a report's window (all of time when not windowed). */
void rl_report_minutes(const rl_report *r, int64_t *lo, int64_t *hi);

/* Builds the report of everything in st. Returns 0 or RL_EDB/RL_ENOMEM. */
int rl_report_build(rl_report *out, rl_store *st, const rl_report_opts *opts, rl_err *err);

/* The retry section (report_retries.c): adds to a report whose endpoints and timeline
 * are loaded. */
int rl_report_load_retries(rl_report *r, rl_store *st, size_t top, rl_err *err);

/* The timeline bucket of a minute, or NULL outside it (report.c). */
rl_report_bucket *rl_report_bucket_of(rl_report *r, int64_t minute);

/* What the database is, as one sentence for every renderer: a merge of shards or of
 * hosts' databases, or one shard; NULL for neither. Written to buf (160 bytes do). */
const char *rl_report_merged_note(const rl_report *r, char *buf, size_t cap);

/* A time resolution as words ("1 s", "1 ms", "1 µs", "unknown" for 0), the number and
 * its unit joined by space (" ", or a no-break space for HTML). Returns buf. */
const char *rl_report_resolution(char *buf, size_t cap, int64_t us, const char *space);

/* Why no_jitter (rule4) or lockstep could not be judged at all, into buf; NULL when they
 * could have been, or when count (theirs) is not 0: a count is always shown. "Could
 * not": for no_jitter, the policy the retries were judged with asks for no jitter
 * (backoff rule 4 applies only where it does); for both, no source of the database has
 * times at 1 ms or finer (SPEC §3: only at ms resolution; retries.ms_times says why no
 * retry can reach them then). An empty database shows its zeros. For every renderer. */
const char *rl_report_not_judged(const rl_report *r, bool rule4, uint64_t count, char *buf, size_t cap);

/* Frees what rl_report_build allocated (not r itself). */
void rl_report_clear(rl_report *r);

#endif
