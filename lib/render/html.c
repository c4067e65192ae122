/* html.c - the report as one self-contained HTML5 file (SPEC §5, --output html).
 *
 * A page a team can open, print or attach to a review: a header with the policy and the
 * window, KPI cards, the charts (html_chart.c, inline SVG), then the tables of the text
 * report. Nothing is fetched and nothing runs: the CSS is inline, there is no script, and
 * a strict Content-Security-Policy tells the browser so; the <title> is fixed. Every
 * string that came from a log, a file name or a policy file goes through rl_html_put()
 * (lib/render/html.h), escaped for where it is written, with control characters and bidi
 * overrides shown as text instead of acting. The renderer writes straight to the FILE
 * and allocates nothing. */
#include <stdint.h>
#include <string.h>

#include "lib/base/defaults.h"
#include "lib/base/timestamp.h"
#include "lib/render/html.h"
#include "lib/render/render.h"

#define DASH "\xe2\x80\x93" /* "–": no value */

/* --- escaping ------------------------------------------------------------------ */

/* Decodes the UTF-8 character at s (n ≥ 1 bytes left) into *cp and returns its length;
 * a byte that starts no valid character is 1 byte of U+FFFD. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], v, min;
	size_t len;
	*cp = 0xfffd;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, v = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, v = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, v = c & 0x07, min = 0x10000;
	else
		return 1;
	if (len > n)
		return 1;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 1;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 1;
	*cp = v;
	return len;
}

/* Characters that act instead of showing: C0 and C1 controls, DEL, the bidi marks,
 * embeddings, overrides and isolates (U+061C, U+200E/F, U+202A..E, U+2066..9), the
 * zero-width and invisible ones that hide text, line and paragraph separators, BOM. */
static bool neutralised(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x61c || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

void rl_html_put(FILE *f, const char *s, int how, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), chars = 0;
	for (size_t i = 0, l; i < n; i += l) {
		uint32_t cp;
		l = utf8_next(p + i, n - i, &cp);
		if (max && ++chars > max) {
			fputs("\xe2\x80\xa6", f);
			return;
		}
		if (neutralised(cp)) {
			fputs(how & RL_HTML_MARK ? "<span class=\"ctl\">" : "", f);
			fprintf(f, cp < 0x80 ? "\\x%02x" : "\\u%04x", (unsigned)cp);
			fputs(how & RL_HTML_MARK ? "</span>" : "", f);
		} else if (cp == '&')
			fputs("&amp;", f);
		else if (cp == '<')
			fputs("&lt;", f);
		else if (cp == '>')
			fputs("&gt;", f);
		else if (cp == '"')
			fputs("&quot;", f);
		else if (cp == '\'' && (how & RL_HTML_ATTR))
			fputs("&#39;", f);
		else if (cp == 0xfffd)
			fputs("\xef\xbf\xbd", f);
		else
			fwrite(p + i, 1, l, f);
	}
}

/* HTML text: how a table cell writes a string from a log. */
static void put(FILE *f, const char *s)
{
	rl_html_put(f, s, RL_HTML_MARK, 0);
}

/* --- numbers --------------------------------------------------------------------- */

const char *rl_html_num(char buf[32], uint64_t v)
{
	char d[24];
	int n = snprintf(d, sizeof d, "%llu", (unsigned long long)v), o = 0;
	for (int i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = d[i];
	}
	buf[o] = 0;
	return buf;
}

rl_rate rl_html_ratio(uint64_t a, uint64_t b)
{
	return (rl_rate){b != 0, b ? (double)a / (double)b : 0};
}

const char *rl_html_pct(char buf[32], rl_rate r)
{
	if (!r.valid)
		return strcpy(buf, DASH);
	snprintf(buf, 32, "%.2f\xc2\xa0%%", r.value * 100.0);
	return buf;
}

#define num rl_html_num
#define pct rl_html_pct
#define ratio rl_html_ratio

/* A count cell: <td class="n">20,000</td>, a 0 in grey. */
static void td_n(FILE *f, uint64_t v)
{
	char b[32];
	fprintf(f, "<td class=\"n%s\">%s</td>", v ? "" : " z", num(b, v));
}

static void td_ms(FILE *f, int64_t us)
{
	if (us < 0)
		fputs("<td class=\"n z\">" DASH "</td>", f);
	else
		fprintf(f, "<td class=\"n\">%.1f</td>", (double)us / 1000.0);
}

/* A resolution in µs as "1 s", "100 ms", "1 µs"; 0 is "unknown" (as the text report). */
static const char *resolution(char buf[32], int64_t us)
{
	return rl_report_resolution(buf, 32, us, "\xc2\xa0");
}

/* --- the page around the report ---------------------------------------------------- */

static const char css[] =
	":root{--ink:#1b2533;--muted:#5d6878;--line:#e2e6ec;--bg:#f4f6f9;--card:#fff;--accent:#2f5d9e;"
	"--warn:#b7791f;--bad:#b8322a;--good:#2f7d55}"
	"*{box-sizing:border-box}"
	"html{-webkit-text-size-adjust:100%}"
	"body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,'Segoe UI',"
	"Roboto,'Helvetica Neue',Arial,'Noto Sans',sans-serif}"
	"code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',monospace;"
	"font-size:12.5px}"
	"header.top{background:#1d2b44;color:#fff;padding:22px 32px 20px}"
	"header.top .brand{font-size:12px;letter-spacing:.12em;text-transform:uppercase;opacity:.7}"
	"header.top h1{margin:2px 0 6px;font-size:24px;font-weight:600}"
	"header.top .meta{margin:0;color:#c9d3e3;font-size:13.5px}"
	"header.top .meta b{color:#fff;font-weight:600}"
	"main{max-width:1180px;margin:0 auto;padding:20px 24px 40px}"
	"nav.toc{font-size:13px;margin:0 0 16px;color:var(--muted)}"
	"nav.toc a{color:var(--accent);text-decoration:none;margin-right:14px}"
	".kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(165px,1fr));gap:12px;margin-bottom:16px}"
	".kpi{background:var(--card);border:1px solid var(--line);border-top:3px solid var(--accent);"
	"border-radius:8px;padding:12px 14px}"
	".kpi.warn{border-top-color:var(--warn)}.kpi.bad{border-top-color:var(--bad)}"
	".kpi.good{border-top-color:var(--good)}"
	".kpi .label{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.05em}"
	".kpi .value{font-size:26px;font-weight:650;margin:2px 0;font-variant-numeric:tabular-nums}"
	".kpi .sub{font-size:12.5px;color:var(--muted)}"
	".panel{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px 18px;"
	"margin-bottom:16px}"
	".grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px}.grid2 .panel{margin-bottom:16px}"
	"@media (max-width:820px){.grid2{grid-template-columns:1fr}}"
	"h2{font-size:16px;margin:0 0 4px;font-weight:600}"
	"p.lede{margin:0 0 10px;color:var(--muted);font-size:13px}"
	"p.empty{margin:8px 0;padding:18px;text-align:center;color:var(--muted);background:var(--bg);"
	"border-radius:6px}"
	"svg.chart{display:block;width:100%;height:auto;font-size:11px;fill:var(--ink)}"
	".grid2 svg.chart{max-width:560px}"
	"svg .grid{stroke:var(--line);stroke-width:1}svg .axis{stroke:#9aa4b2;stroke-width:1}"
	"svg .tick{fill:var(--muted)}svg .atitle{fill:var(--muted);font-size:11.5px}"
	"svg .val{fill:var(--ink);font-variant-numeric:tabular-nums}"
	"svg g.hit:hover rect{opacity:.8}"
	".legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12.5px;color:var(--muted);margin:6px 0 0}"
	".sw{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}"
	".legend .line{height:3px;vertical-align:3px;width:16px}"
	".t-first{fill:#a9bdd8;background:#a9bdd8}.t-retry{fill:#e8a33d;background:#e8a33d}"
	".t-blind{fill:#b8322a;background:#b8322a}.ln-err{fill:none;stroke:#1d2b44;stroke-width:2}"
	".o-recovered{fill:#4f9a6e;background:#4f9a6e}.o-gave_up{fill:#b8322a;background:#b8322a}"
	".o-gave_up1{fill:#e3a29c}.o-open{fill:#7d8796;background:#7d8796}.o-open1{fill:#c8cdd5}"
	".pt-err{fill:#1d2b44}.line.ln-err{background:#1d2b44}"
	".s-success{fill:#4f9a6e;background:#4f9a6e}.s-retryable{fill:#e8a33d;background:#e8a33d}"
	".s-nonretryable{fill:#b8322a;background:#b8322a}.s-none{fill:#b5bdc9;background:#b5bdc9}"
	".k-compliant{fill:#4f9a6e;background:#4f9a6e}.k-too_fast{fill:#e07b39;background:#e07b39}"
	".k-ignored_retry_after{fill:#c2477f;background:#c2477f}"
	".k-over_max_retries{fill:#3f6fb5;background:#3f6fb5}.k-no_jitter{fill:#cfa82a;background:#cfa82a}"
	".k-blind_4xx{fill:#a3302a;background:#a3302a}.k-unsafe{fill:#6c4ba3;background:#6c4ba3}"
	"section.tables{margin-top:8px}"
	".scroll{overflow-x:auto}"
	"table{border-collapse:collapse;width:100%;font-size:13px;font-variant-numeric:tabular-nums}"
	"th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}"
	"th{font-size:11px;font-weight:600;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;"
	"border-bottom:1px solid #cfd5de;vertical-align:bottom}"
	"td.n,th.n{text-align:right;width:1%}td.n{white-space:nowrap}td.z{color:#a3abb7}"
	"td.k{white-space:nowrap;width:1%}"
	"td.s{overflow-wrap:anywhere;min-width:8em}"
	"td.why,.muted{color:var(--muted)}td.why{font-size:12.5px}"
	"tr.sub td:first-child{padding-left:24px}"
	"tbody tr:hover td{background:#f8fafc}"
	"tr.ev>td{background:#fafbfc;padding:4px 8px 10px 28px}"
	"tr.ev table{font-size:12px;width:auto}tr.ev th,tr.ev td{padding:2px 18px 2px 0;border:0;width:auto}"
	"h2.second{margin-top:18px}"
	".ev-h{font-size:12px;color:var(--muted);margin:2px 0 2px}"
	".tag{display:inline-block;padding:0 6px;border-radius:9px;font-size:11.5px;background:#eef1f5}"
	".tag.bad{background:#f7e1df;color:#8c2620}.tag.good{background:#e0f0e6;color:#22603f}"
	".tag.warn{background:#f8ecd6;color:#7a4f0f}"
	".ctl{color:#8c2620;background:#f7e1df;border-radius:2px;padding:0 1px;font-family:ui-monospace,Menlo,"
	"Consolas,monospace;font-size:.9em}"
	"p.note{font-size:12.5px;color:var(--muted);margin:6px 0 0}"
	"footer{max-width:1180px;margin:0 auto;padding:0 24px 32px;color:var(--muted);font-size:12px}"
	"@media print{@page{margin:12mm}"
	"body{background:#fff;font-size:11px}main{max-width:none;padding:0}"
	"header.top{background:#fff;color:#000;padding:0 0 8px;border-bottom:2px solid #000;margin-bottom:10px}"
	"header.top .meta,header.top .meta b{color:#000}"
	"nav.toc{display:none}.panel,.kpi{border-color:#bbb;break-inside:avoid}"
	".panel.tbl{break-inside:auto}"
	".kpis{grid-template-columns:repeat(3,1fr)}td.why{font-size:inherit}"
	"svg.chart{font-size:12px}.scroll{overflow:visible}table{font-size:10px}thead{display:table-header-group}"
	"tr{break-inside:avoid}h2{break-after:avoid}"
	"tbody tr:hover td{background:none}tr.ev>td{background:#fff}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/* The head and the top of the body: the fixed title, the CSP, the header line. */
static void page_head(FILE *f, const rl_report *r)
{
	static const char *const by[] = {"minute", "minute", "hour", "day"};
	char a[32], b[32];
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
	      "img-src data:; base-uri 'none'; form-action 'none'\">\n"
	      "<meta name=\"referrer\" content=\"no-referrer\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta name=\"generator\" content=\"retrylens\">\n"
	      "<title>retrylens report</title>\n<style>",
	      f);
	fputs(css, f);
	fputs("</style>\n</head>\n<body>\n<header class=\"top\">\n<div class=\"brand\">retrylens</div>\n"
	      "<h1>Retry report</h1>\n<p class=\"meta\">Policy <b>",
	      f);
	put(f, r->policy->name);
	fputs("</b>", f);
	if (r->has_window)
		fprintf(f, " \xc2\xb7 <b>%s</b> \xe2\x86\x92 <b>%s</b>", rl_timestamp_format(r->from_us, a),
			rl_timestamp_format(r->to_us, b));
	fprintf(f, " \xc2\xb7 timeline per %s (UTC) \xc2\xb7 generated %s</p>\n</header>\n<main>\n", by[r->by],
		r->generated_at);
	fputs("<nav class=\"toc\"><a href=\"#charts\">Charts</a><a href=\"#attempts\">Attempts</a>"
	      "<a href=\"#status\">Status</a><a href=\"#retries\">Retries</a><a href=\"#clients\">Clients</a>"
	      "<a href=\"#endpoints\">Endpoints</a><a href=\"#errors\">Error messages</a>"
	      "<a href=\"#timeline\">Timeline</a><a href=\"#sources\">Sources</a></nav>\n",
	      f);
	char merged[160];
	if (rl_report_merged_note(r, merged, sizeof merged)) {
		fputs("<p class=\"note\">", f);
		put(f, merged);
		fputs("</p>\n", f);
	}
	if (r->windowed)
		fputs("<p class=\"note\">A window: attempts and retries count at their start, chains at their first "
		      "attempt's, outcomes at their last attempt's end; sources, rejected lines and clients are all "
		      "time.</p>\n",
		      f);
}

/* A rate as a <data> value: "" when it is null. */
static const char *rate_raw(char buf[32], rl_rate r)
{
	if (!r.valid)
		return strcpy(buf, "");
	snprintf(buf, 32, "%.17g", r.value);
	return buf;
}

/* One KPI card; id names the <data> element that holds the raw value. */
static void kpi(FILE *f, const char *cls, const char *label, const char *id, const char *raw, const char *shown,
		const char *sub)
{
	fprintf(f,
		"<div class=\"kpi %s\"><div class=\"label\">%s</div><div class=\"value\"><data id=\"%s\" value=\"%s\">"
		"%s</data></div><div class=\"sub\">%s</div></div>\n",
		cls, label, id, raw, shown, sub);
}

static void kpis(FILE *f, const rl_report *r)
{
	const __typeof__(r->totals) *t = &r->totals;
	const __typeof__(r->retries) *x = &r->retries;
	char raw[32], v[32], sub[160], a[32], b[32], p[32];
	rl_rate er = ratio(t->errors, t->attempts);
	fputs("<section class=\"kpis\" aria-label=\"Key figures\">\n", f);
	snprintf(raw, sizeof raw, "%llu", (unsigned long long)t->attempts);
	if (x->amplification.valid)
		snprintf(sub, sizeof sub, "%s requests \xc2\xb7 \xc3\x97%.3f amplification", num(a, x->chains),
			 x->amplification.value);
	else
		snprintf(sub, sizeof sub, "%s requests", num(a, x->chains));
	kpi(f, "", "Attempts", "kpi-attempts", raw, num(v, t->attempts), sub);
	rate_raw(raw, er);
	snprintf(sub, sizeof sub, "%s errors of %s attempts", num(a, t->errors), num(b, t->attempts));
	kpi(f, er.valid && er.value > 0.05 ? "warn" : "", "Error rate", "kpi-error-rate", raw, pct(p, er), sub);
	rate_raw(raw, t->retryable_share_of_errors);
	snprintf(sub, sizeof sub, "%s retryable of %s errors", num(a, t->retryable_errors), num(b, t->errors));
	kpi(f, "", "Retryable share", "kpi-retryable-share", raw, pct(p, t->retryable_share_of_errors), sub);
	snprintf(raw, sizeof raw, "%llu", (unsigned long long)x->count[RL_RC_RETRIES]);
	snprintf(sub, sizeof sub, "recovered %s \xc2\xb7 gave up %s \xc2\xb7 open %llu", num(a, x->recovered),
		 num(b, x->gave_up), (unsigned long long)x->open);
	kpi(f, "", "Retries", "kpi-retries", raw, num(v, x->count[RL_RC_RETRIES]), sub);
	snprintf(raw, sizeof raw, "%llu", (unsigned long long)x->count[RL_RC_BLIND_4XX]);
	snprintf(sub, sizeof sub, "%s of attempts \xc2\xb7 %s unsafe", pct(p, x->blind_4xx_retry_rate),
		 num(a, x->count[RL_RC_UNSAFE]));
	kpi(f, x->count[RL_RC_BLIND_4XX] ? "bad" : "good", "Blind 4xx retries", "kpi-blind", raw,
	    num(v, x->count[RL_RC_BLIND_4XX]), sub);
	rate_raw(raw, x->compliance_rate);
	snprintf(sub, sizeof sub, "%s of %s checked retries backed off", num(a, x->count[RL_RC_COMPLIANT]),
		 num(b, x->count[RL_RC_CHECKED]));
	kpi(f,
	    !x->compliance_rate.valid	       ? ""
	    : x->compliance_rate.value >= 0.95 ? "good"
	    : x->compliance_rate.value >= 0.8  ? "warn"
					       : "bad",
	    "Backoff compliance", "kpi-compliance", raw, pct(p, x->compliance_rate), sub);
	fputs("</section>\n", f);
}

/* --- tables ---------------------------------------------------------------------- */

/* Opens a table panel: <section id><h2>title</h2>, the lede, <table><thead>heads. */
static void table_open(FILE *f, const char *id, const char *title, const char *lede, const char *heads)
{
	fprintf(f, "<section class=\"panel tbl\" id=\"%s\">\n<h2>%s</h2>\n", id, title);
	if (lede)
		fprintf(f, "<p class=\"lede\">%s</p>\n", lede);
	fprintf(f, "<div class=\"scroll\"><table>\n<thead><tr>%s</tr></thead>\n<tbody>\n", heads);
}

static void table_close(FILE *f)
{
	fputs("</tbody>\n</table></div>\n", f);
}

/* A row of the summary and retries tables: label, count, share, meaning. */
static void count_row(FILE *f, bool sub, const char *label, uint64_t n, const char *share, const char *why)
{
	fprintf(f, "<tr%s><td class=\"k\">%s</td>", sub ? " class=\"sub\"" : "", label);
	td_n(f, n);
	fprintf(f, "<td class=\"n\">%s</td><td class=\"why\">%s</td></tr>\n", share ? share : "", why);
}

static void table_attempts(FILE *f, const rl_report *r)
{
	const __typeof__(r->totals) *t = &r->totals;
	char p[32], q[32], why[160];
	table_open(f, "attempts", "Attempts", NULL,
		   "<th></th><th class=\"n\">count</th><th class=\"n\">share</th><th></th>");
	count_row(f, false, "attempts", t->attempts, NULL, "requests sent, retries included");
	count_row(f, false, "success", t->success, pct(p, ratio(t->success, t->attempts)), "");
	count_row(f, false, "errors", t->errors, pct(p, ratio(t->errors, t->attempts)), "");
	snprintf(why, sizeof why, "of attempts, %s of errors: the client may retry these, with backoff",
		 pct(q, t->retryable_share_of_errors));
	count_row(f, true, "retryable", t->retryable_errors, pct(p, t->retryable_rate), why);
	count_row(f, true, "non-retryable", t->non_retryable_errors, pct(p, t->non_retryable_rate),
		  "of attempts: the request must change before it is sent again");
	if (t->unknown_status)
		count_row(f, false, "unknown status", t->unknown_status, NULL, "the log has no status for these");
	table_close(f);
	fputs("</section>\n", f);
}

static void table_status(FILE *f, const rl_report *r)
{
	char p[32];
	table_open(f, "status", "Status", NULL,
		   "<th class=\"n\">status</th><th class=\"n\">count</th><th class=\"n\">share</th><th>class "
		   "(policy)</th>");
	for (size_t i = 0; i < r->nstatus; i++) {
		const rl_report_status *s = &r->status[i];
		const char *cls = s->status < 0	 ? "<span class=\"tag\">not logged</span>"
				  : !s->failure	 ? "<span class=\"tag good\">success</span>"
				  : s->retryable ? "<span class=\"tag warn\">retryable error</span>"
						 : "<span class=\"tag bad\">non-retryable error</span>";
		if (s->status < 0)
			fputs("<tr><td class=\"n\">" DASH "</td>", f);
		else
			fprintf(f, "<tr><td class=\"n\">%d</td>", s->status);
		td_n(f, s->count);
		fprintf(f, "<td class=\"n\">%s</td><td>%s</td></tr>\n", pct(p, ratio(s->count, r->totals.attempts)),
			cls);
	}
	table_close(f);
	fputs("</section>\n", f);
}

static void table_errors(FILE *f, const rl_report *r, const rl_render_opts *o)
{
	char title[64];
	snprintf(title, sizeof title,
		 o->top && r->nerrors >= o->top ? "Error messages (top %zu by count)" : "Error messages", o->top);
	if (!r->nerrors) {
		fprintf(f,
			"<section class=\"panel\" id=\"errors\">\n<h2>%s</h2>\n<p class=\"empty\">The inputs logged "
			"no error bodies.</p>\n</section>\n",
			title);
		return;
	}
	table_open(f, "errors", title, "What the failures said, where the inputs logged response bodies.",
		   "<th class=\"n\">status</th><th class=\"n\">count</th><th>type</th><th>code</th><th>message</th>"
		   "<th>sample</th>");
	for (size_t i = 0; i < r->nerrors; i++) {
		const rl_report_error *e = &r->errors[i];
		fprintf(f, "<tr><td class=\"n\">%d</td>", e->status);
		td_n(f, e->count);
		fputs("<td class=\"s\">", f);
		put(f, e->type ? e->type : DASH);
		fputs("</td><td class=\"s\">", f);
		put(f, e->code ? e->code : DASH);
		fputs("</td><td class=\"s\">", f);
		put(f, e->message ? e->message : DASH);
		fputs("</td><td class=\"s muted\">", f);
		put(f, e->sample ? e->sample : "");
		fputs("</td></tr>\n", f);
	}
	table_close(f);
	if (r->errors_capped)
		fprintf(f,
			"<p class=\"note\">The message table is full: templates past the first %d are counted under "
			"{other}.</p>\n",
			RL_ERRORS_CAP);
	fputs("</section>\n", f);
}

static void table_endpoints(FILE *f, const rl_report *r, const rl_render_opts *o)
{
	char title[64];
	snprintf(title, sizeof title,
		 o->top && r->nendpoints >= o->top ? "Endpoints (top %zu by attempts)" : "Endpoints", o->top);
	table_open(f, "endpoints", title, NULL,
		   "<th>endpoint</th><th>method</th><th class=\"n\">attempts</th><th class=\"n\">errors</th>"
		   "<th class=\"n\">retries</th><th class=\"n\">blind 4xx</th><th class=\"n\">p50 ms</th>"
		   "<th class=\"n\">p95 ms</th><th class=\"n\">p99 ms</th>");
	for (size_t i = 0; i < r->nendpoints; i++) {
		const rl_report_endpoint *e = &r->endpoints[i];
		fputs("<tr><td class=\"s mono\">", f);
		put(f, e->endpoint);
		fputs("</td><td class=\"mono\">", f);
		put(f, e->method);
		fputs("</td>", f);
		td_n(f, e->attempts);
		td_n(f, e->errors);
		td_n(f, e->retries);
		td_n(f, e->blind_4xx);
		td_ms(f, e->p50_us);
		td_ms(f, e->p95_us);
		td_ms(f, e->p99_us);
		fputs("</tr>\n", f);
	}
	table_close(f);
	if (r->endpoints_capped)
		fprintf(f,
			"<p class=\"note\">The template table is full: endpoints past the first %d are counted under "
			"{other}.</p>\n",
			RL_ENDPOINTS_CAP);
	fputs("</section>\n", f);
}

/* A count that could not be judged: "–" and why. The policy name in why is escaped. */
static void not_judged_row(FILE *f, bool sub, const char *label, const char *why)
{
	fprintf(f, "<tr%s><td class=\"k\">%s</td><td class=\"n z\">" DASH "</td><td></td><td class=\"why\">",
		sub ? " class=\"sub\"" : "", label);
	put(f, why);
	fputs("</td></tr>\n", f);
}

static void table_retries(FILE *f, const rl_report *r)
{
	const __typeof__(r->retries) *t = &r->retries;
	const uint64_t *v = t->count;
	char p[32], a[32], b[32], why[256];
	const char *no;
	table_open(f, "retries", "Retries", NULL,
		   "<th></th><th class=\"n\">count</th><th class=\"n\">share</th><th></th>");
	if (t->policy[0] && strcmp(t->policy, r->policy->name) != 0) {
		fputs("<tr><td colspan=\"4\" class=\"why\">Judged with policy <b>", f);
		put(f, t->policy);
		fputs("</b>, the database's.</td></tr>\n", f);
	}
	if (t->amplification.valid)
		snprintf(p, sizeof p, "\xc3\x97%.3f", t->amplification.value);
	else
		strcpy(p, DASH);
	count_row(f, false, "chains", t->chains, p, "requests, retries included (amplification: attempts per request)");
	count_row(f, false, "retries", v[RL_RC_RETRIES], NULL, rl_retry_counter_help(RL_RC_RETRIES));
	count_row(f, false, "outcomes", t->recovered + t->gave_up + t->open, NULL,
		  "requests that saw a failure, by how they ended:");
	count_row(f, true, "recovered", t->recovered, NULL, "ended in a success after retries");
	snprintf(why, sizeof why,
		 "ended in a failure, no retry within the window: %s after retries, %s single failed attempt%s (never "
		 "retried: a lone 404 is one)",
		 num(a, t->gave_up - t->gave_up_single), num(b, t->gave_up_single), t->gave_up_single == 1 ? "" : "s");
	count_row(f, true, "gave up", t->gave_up, NULL, why);
	snprintf(why, sizeof why, "still inside the retry window %s: %s after retries, %s single failed attempt%s",
		 r->one_shot ? "when input ended"
			     : "at the end of the input so far (the next ingest goes on with them)",
		 num(a, t->open - t->open_single), num(b, t->open_single), t->open_single == 1 ? "" : "s");
	count_row(f, true, "open", t->open, NULL, why);
	count_row(f, false, "blind 4xx retries", v[RL_RC_BLIND_4XX], pct(p, t->blind_4xx_retry_rate),
		  rl_retry_counter_help(RL_RC_BLIND_4XX));
	count_row(f, false, "unsafe retries", v[RL_RC_UNSAFE], NULL, rl_retry_counter_help(RL_RC_UNSAFE));
	count_row(f, false, "backoff checked", v[RL_RC_CHECKED], NULL, rl_retry_counter_help(RL_RC_CHECKED));
	for (int i = RL_RC_COMPLIANT; i < RL_RC_N; i++) {
		no = i == RL_RC_NO_JITTER ? rl_report_not_judged(r, true, v[i], why, sizeof why) : NULL;
		if (no)
			not_judged_row(f, true, rl_retry_counter_name(i), no);
		else
			count_row(f, true, rl_retry_counter_name(i), v[i],
				  i == RL_RC_COMPLIANT ? pct(p, t->compliance_rate) : NULL, rl_retry_counter_help(i));
	}
	if ((no = rl_report_not_judged(r, false, t->lockstep_retries, why, sizeof why)) != NULL) {
		not_judged_row(f, false, "lockstep", no);
	} else {
		snprintf(why, sizeof why, "retries from %s clients that started within 5 ms of each other",
			 num(a, t->lockstep_clients));
		count_row(f, false, "lockstep", t->lockstep_retries, NULL, why);
	}
	for (size_t i = 0; i < t->nbursts; i++) {
		snprintf(why, sizeof why, "burst at %s: retry %u of %s clients at once",
			 rl_timestamp_format(t->bursts[i].start_us, a), t->bursts[i].round,
			 num(b, t->bursts[i].clients));
		fprintf(f, "<tr class=\"sub\"><td></td><td></td><td></td><td class=\"why\">%s</td></tr>\n", why);
	}
	snprintf(why, sizeof why, "attempts from %s clients retried under a new idempotency key",
		 num(a, t->rekeyed_clients));
	count_row(f, false, "rekeyed", t->rekeyed_attempts, NULL, why);
	table_close(f);
	fputs("</section>\n", f);
}

static bool client_column(int k)
{
	return rl_render_client_column(k, true);
}

/* The evidence chain of a client, one attempt a row, in a row of the client table. */
static void evidence(FILE *f, const rl_evidence_doc *ev, int cols)
{
	fprintf(f,
		"<tr class=\"ev\"><td colspan=\"%d\"><div class=\"ev-h\">Evidence: a request of %u attempts%s</div>"
		"<table><thead><tr><th>start</th><th class=\"n\">wait</th><th class=\"n\">status</th>"
		"<th>method</th><th>target</th><th>verdict</th></tr></thead><tbody>\n",
		cols, ev->attempts, ev->attempts > ev->nsteps ? " (the first shown)" : "");
	for (unsigned i = 0; i < ev->nsteps; i++) {
		const rl_evidence_step *st = &ev->steps[i];
		char when[32], verdict[64];
		double ms;
		bool is_int;
		fprintf(f, "<tr><td class=\"mono\">%s</td>", rl_timestamp_format(st->start_us, when));
		if (rl_step_wait_ms(st, &ms, &is_int))
			fprintf(f, "<td class=\"n\">+%.3f\xc2\xa0s</td>", ms / 1000.0);
		else
			fputs("<td></td>", f);
		if (st->status >= 0)
			fprintf(f, "<td class=\"n\">%d</td>", st->status);
		else
			fputs("<td class=\"n\">" DASH "</td>", f);
		fputs("<td class=\"mono\">", f);
		put(f, ev->method);
		fputs("</td><td class=\"s mono\">", f);
		put(f, ev->target);
		rl_step_verdict(st, verdict, sizeof verdict);
		fprintf(f, "</td><td><span class=\"tag%s\">%s</span></td></tr>\n",
			strcmp(verdict, "first") == 0	    ? ""
			: strcmp(verdict, "compliant") == 0 ? " good"
							    : " bad",
			verdict);
	}
	fputs("</tbody></table></td></tr>\n", f);
}

static void table_clients(FILE *f, const rl_report *r, const rl_render_opts *o)
{
	char title[96], heads[1024];
	int cols = 1, n = snprintf(heads, sizeof heads, "<th>client</th>");
	for (int k = 0; k < RL_CL_N; k++)
		if (client_column(k)) {
			char h[48];
			snprintf(h, sizeof h, "%s", rl_client_counter_name(k));
			for (char *c = h; *c; c++)
				*c = *c == '_' ? ' ' : *c;
			n += snprintf(heads + n, sizeof heads - (size_t)n, "<th class=\"n\">%s</th>", h);
			cols++;
		}
	snprintf(title, sizeof title, "Clients (%s by violations)", o->top ? "top" : "all");
	if (!r->nclients) {
		fprintf(f,
			"<section class=\"panel\" id=\"clients\">\n<h2>%s</h2>\n<p class=\"empty\">No clients.</p>\n"
			"</section>\n",
			title);
		return;
	}
	table_open(f, "clients", title,
		   "Violations: blind + unsafe + backoff verdicts other than compliant. Under each client that has "
		   "some, its chain with the most violations.",
		   heads);
	for (size_t i = 0; i < r->nclients; i++) {
		const rl_report_client *c = &r->clients[i];
		fputs("<tr><td class=\"s\">", f);
		put(f, c->name);
		fputs("</td>", f);
		for (int k = 0; k < RL_CL_N; k++)
			if (client_column(k))
				td_n(f, c->v[k]);
		fputs("</tr>\n", f);
		if (c->v[RL_CL_VIOLATIONS] && c->evidence)
			evidence(f, c->evidence, cols);
	}
	table_close(f);
	if (r->clients_capped)
		fprintf(f,
			"<p class=\"note\">The database keeps %d,%03d clients: those with the fewest violations were "
			"dropped.</p>\n",
			RL_CLIENTS_CAP / 1000, RL_CLIENTS_CAP % 1000);
	fputs("</section>\n", f);
}

#define TIMELINE_ROWS 100 /* more buckets than this: the JSON has them */

static void table_timeline(FILE *f, const rl_report *r)
{
	static const char *const by[] = {"minute", "minute", "hour", "day"};
	char title[64], when[32];
	snprintf(title, sizeof title, "Timeline (per %s, UTC)", by[r->by]);
	if (r->ntimeline == 0 || r->ntimeline > TIMELINE_ROWS) {
		fprintf(f, "<section class=\"panel\" id=\"timeline\">\n<h2>%s</h2>\n<p class=\"empty\">", title);
		if (r->ntimeline)
			fprintf(f,
				"%zu buckets: too many for a table; <code>--by hour</code> or <code>day</code>, or "
				"<code>--output json</code> for all of them.",
				r->ntimeline);
		else
			fputs("No attempts in this window.", f);
		fputs("</p>\n</section>\n", f);
		return;
	}
	table_open(
		f, "timeline", title, NULL,
		"<th>start</th><th class=\"n\">attempts</th><th class=\"n\">errors</th><th class=\"n\">retryable</th>"
		"<th class=\"n\">retries</th><th class=\"n\">blind 4xx</th>");
	for (size_t i = 0; i < r->ntimeline; i++) {
		const rl_report_bucket *x = &r->timeline[i];
		fprintf(f, "<tr><td class=\"mono\">%s</td>", rl_timestamp_format(x->start_us, when));
		td_n(f, x->attempts);
		td_n(f, x->errors);
		td_n(f, x->retryable_errors);
		td_n(f, x->retries);
		td_n(f, x->blind_4xx);
		fputs("</tr>\n", f);
	}
	table_close(f);
	fputs("</section>\n", f);
}

static void table_sources(FILE *f, const rl_report *r)
{
	bool any_late = false;
	char res[32];
	table_open(f, "sources", "Sources", NULL,
		   "<th>source</th><th>format</th><th class=\"n\">lines</th><th class=\"n\">rejected</th>"
		   "<th class=\"n\">late</th><th class=\"n\">skipped</th><th class=\"n\">time resolution</th>");
	for (size_t i = 0; i < r->nsources; i++) {
		const rl_report_source *s = &r->sources[i];
		fputs("<tr><td class=\"s mono\">", f);
		put(f, s->name);
		fputs("</td><td>", f);
		put(f, s->format ? s->format : DASH);
		fputs("</td>", f);
		td_n(f, s->lines);
		td_n(f, s->rejected);
		td_n(f, s->late);
		td_n(f, s->skipped);
		fprintf(f, "<td class=\"n\">%s</td></tr>\n", resolution(res, s->time_res_us));
		any_late |= s->late != 0;
	}
	table_close(f);
	fputs("<p class=\"note\">Skipped: not access records.", f);
	if (any_late)
		fputs(" Late: more than <code>--max-lag</code> out of order, counted and judged as they came.", f);
	fputs("</p>\n</section>\n", f);
}

static void table_rejected(FILE *f, const rl_report *r)
{
	char title[64], a[32];
	snprintf(title, sizeof title, "Rejected lines: %s", num(a, r->rejected));
	if (!r->rejected)
		return;
	table_open(f, "rejected", title, r->nsamples ? "A sample of the lines that could not be read." : NULL,
		   "<th>source</th><th class=\"n\">line</th><th>reason</th><th>text</th>");
	for (size_t i = 0; i < r->nsamples; i++) {
		const rl_report_sample *s = &r->samples[i];
		fputs("<tr><td class=\"s mono\">", f);
		put(f, s->source);
		fprintf(f, "</td><td class=\"n\">%lld</td><td class=\"s\">", s->line);
		put(f, s->reason);
		fputs("</td><td class=\"s mono\">", f);
		put(f, s->excerpt);
		fputs("</td></tr>\n", f);
	}
	table_close(f);
	fputs("</section>\n", f);
}

int rl_render_html(const rl_report *r, FILE *f, const rl_render_opts *o)
{
	page_head(f, r);
	kpis(f, r);
	rl_html_chart_timeline(f, r);
	fputs("<div class=\"grid2\">\n", f);
	rl_html_chart_verdicts(f, r);
	rl_html_chart_status(f, r);
	fputs("</div>\n", f);
	rl_html_chart_offenders(f, r);
	table_attempts(f, r);
	table_status(f, r);
	table_retries(f, r);
	table_clients(f, r, o);
	table_endpoints(f, r, o);
	table_errors(f, r, o);
	table_timeline(f, r);
	table_sources(f, r);
	table_rejected(f, r);
	fputs("</main>\n<footer>retrylens \xc2\xb7 report schema retrylens.report/1 \xc2\xb7 the same numbers as "
	      "<code>--output json</code>.</footer>\n</body>\n</html>\n",
	      f);
	return ferror(f) ? RL_EOUTPUT : 0;
}
