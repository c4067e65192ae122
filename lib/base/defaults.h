/* base/defaults.h - every default and every cap, in one place.
 *
 * The defaults are SPEC §3's (the retry window, the disorder put back in order); the
 * caps bound what a database or a run keeps (SPEC §3.1): past a cap, names are counted
 * under "{other}" and clients with the fewest violations are dropped. The CLI, ingest,
 * the report and the renderers all read them from here. */
#ifndef RL_DEFAULTS_H
#define RL_DEFAULTS_H

#include "lib/base/timestamp.h" /* RL_US_PER_S */

#define RL_DEFAULT_RETRY_WINDOW_US (120 * RL_US_PER_S) /* --retry-window */
#define RL_DEFAULT_MAX_LAG_US (60 * RL_US_PER_S) /* --max-lag */
#define RL_DEFAULT_CLOCK_SKEW_US 0 /* --clock-skew */
#define RL_DEFAULT_MAX_LINE (64 * 1024) /* bytes of a line */
#define RL_DEFAULT_FLUSH_EVERY_US (10 * RL_US_PER_S) /* wall time between commits */
#define RL_DEFAULT_WAIT_US (60 * RL_US_PER_S) /* a second writer waits this long for the first */
#define RL_DEFAULT_MAX_SAMPLES 10 /* rejected-line samples per source and run */

#define RL_ENDPOINTS_CAP 1000 /* endpoint templates a database keeps */
#define RL_ERRORS_CAP 1000 /* error-message templates a database keeps */
#define RL_CLIENTS_CAP 10000 /* clients a database keeps */
#define RL_METHODS_CAP 64 /* methods a run tells apart */
#define RL_TIMELINE_MAX 1000000 /* timeline buckets a report holds (48 MB): more is --by hour or day */

#endif
