/* alb.c - AWS Application Load Balancer access logs (SPEC §2: "ALB as a text format").
 *
 *   https 2018-07-02T22:23:00.186641Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817
 *   10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1"
 *   "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:… "Root=1-…" …
 *
 * One line per request: type, time (when the load balancer sent the response: the end,
 * 1 µs), the load balancer, client:port (the port is dropped: it changes per
 * connection, the client does not; an IPv6 address loses its brackets), target, three processing times, the status the
 * load balancer returned (elb_status_code, what the client saw), the target's status,
 * received and sent bytes, the request line (an absolute URL) and the user agent. The
 * fields AWS added over the years after these are accepted and ignored. */
#include "lib/format/internal.h"

static const char alb_pattern[] =
	"^(?:https?|h2|grpcs?|wss?) (?<time_iso8601>\\d{4}-\\d\\d-\\d\\dT[^ ]+) [^ ]+ "
	"(?:\\[(?<remote_addr>[^\\] ]+)\\]:\\d+|(?<remote_addr>[^ ]+?):\\d+|-) [^ ]+ [^ ]+ [^ ]+ [^ ]+ "
	"(?<status>\\d{3}|-) [^ ]+ [^ ]+ "
	"(?<body_bytes_sent>\\d+|-) \"(?<request>" RL_PATTERN_QUOTED ")\" \"(?<http_user_agent>" RL_PATTERN_QUOTED
	")\"(?: .*)?$";

int rl_alb_format_new(rl_format **out, const rl_format_opts *opts, rl_err *err)
{
	return rl_regex_format_new(out, "alb", alb_pattern, opts, err);
}
