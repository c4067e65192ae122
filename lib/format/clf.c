/* clf.c - combined, common and vcombined, read as real servers write them (SPEC §2).
 *
 * One lenient pattern serves the family: an optional virtual host (with or without
 * :port) and forwarded-for list before the address, ident and user, [time], a request
 * that may be empty, "-" or escaped binary (with a fallback for servers that do not
 * escape quotes), status or "-", bytes or "-", then referer and user agent when present
 * (a common-form line inside a combined log is fine), then a quoted field read as
 * X-Forwarded-For (nginx's default "main" format ends so; where such a field holds
 * something else, --trusted-proxy finds no address in it), and anything after them
 * ignored. The text before "[" (address, ident, user) is split in C (regex.c), which spares
 * the pattern any backtracking. The three names differ only in what "auto" reports. */
#include <string.h>

#include "lib/format/internal.h"
#include "lib/format/layout.h"

static const char clf_pattern[] =
	"^(?<clf_prefix>[^\\[]*+)\\[(?<time_local>[^\\]]{1,40})\\][ \\t]+"
	"\"(?|(?<request>" RL_PATTERN_QUOTED ")|(?<request>.*?))\"[ \\t]+"
	"(?<status>\\d{3}|-)[ \\t]+(?<body_bytes_sent>\\d+|-)"
	"(?:[ \\t]+\"(?<http_referer>" RL_PATTERN_QUOTED ")\"(?:[ \\t]+\"(?<http_user_agent>" RL_PATTERN_QUOTED
	")\"(?:[ \\t]+\"(?<http_x_forwarded_for>" RL_PATTERN_QUOTED ")\")?)?)?";

static const char combined_layout[] =
	"$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" "
	"\"$http_user_agent\"";
static const char common_layout[] = "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent";

int rl_clf_format_new(rl_format **out, const char *spec, const rl_format_opts *opts, rl_err *err)
{
	if (strcmp(spec, "combined") && strcmp(spec, "common") && strcmp(spec, "vcombined"))
		return rl_err_set(err, RL_EUSAGE, "--format", 0, "unknown format '%s'", spec);
	int rc = rl_regex_format_new(out, spec, clf_pattern, opts, err);
	if (rc)
		return rc;
	/* check-format explains a line against the strict layout the family grew from */
	rl_layout l;
	bool common = strcmp(spec, "common") == 0;
	if ((rc = rl_nginx_parse_layout(&l, common ? common_layout : combined_layout, err)) ||
	    (rc = rl_regex_format_keep_layout(*out, &l, err))) {
		rl_format_free(*out);
		*out = NULL;
	}
	return rc;
}
