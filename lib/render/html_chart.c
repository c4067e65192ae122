/* html_chart.c - the charts of the HTML report, drawn as inline SVG (lib/render/html.h).
 *
 * No library and no script: each chart is a viewBox that scales with the page, grid
 * lines at round ticks, a legend in HTML beside it, and a <title> on every bar that a
 * browser shows on hover and a screen reader reads. Colours are CSS classes (html.c's
 * stylesheet): t-* for the timeline, s-* for the status classes, k-<counter name> for
 * the verdicts and violations (lib/retry/verdict.h), o-* for the outcomes. Labels from a
 * log go through rl_html_put(). */
#include <string.h>

#include "lib/base/timestamp.h"
#include "lib/render/html.h"

#define num rl_html_num

/* A round step (1, 2 or 5 × 10^k) that covers 0..max (≥ 1) in at most 5 ticks. */
static uint64_t tick_step(uint64_t max)
{
	uint64_t p = 1;
	while (p <= max / 50)
		p *= 10;
	for (;; p *= 10)
		for (uint64_t m = 1; m <= 5; m += m == 1 ? 1 : 3)
			if (m * p * 5 >= max)
				return m * p;
}

static void legend_item(FILE *f, const char *cls, const char *name)
{
	fprintf(f, "<span><span class=\"sw %s\"></span>%s</span>", cls, name);
}

static void empty(FILE *f, const char *sentence)
{
	fprintf(f, "<p class=\"empty\">%s</p>\n</section>\n", sentence);
}

/* --- (1) the timeline ---------------------------------------------------------------- */

#define TL_W 960.0
#define TL_H 300.0
#define TL_L 58.0 /* left margin: the y tick labels */
#define TL_R 14.0
#define TL_T 14.0
#define TL_B 46.0 /* bottom: x tick labels and the axis title */
#define TL_BARS 240 /* more buckets than this: neighbours share a bar */
#define TL_BAR_MAX 56.0 /* the widest bar, for a timeline of a few buckets */

/* The bars of the timeline: k buckets each, a round number (15 minutes, 6 hours, a week)
 * when there are more than TL_BARS buckets, aligned to multiples of k since the epoch;
 * the first bar starts off (≤ 0) buckets before the first bucket. */
typedef struct tl_bars {
	size_t k, n;
	long long off;
	int64_t unit_us;
} tl_bars;

static tl_bars bars_of(const rl_report *r)
{
	static const unsigned nice[3][12] = {{1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440},
					     {1, 2, 3, 4, 6, 12, 24, 48, 168},
					     {1, 2, 7, 14, 28}};
	static const int64_t unit_us[] = {RL_US_PER_MIN, RL_US_PER_MIN, 60 * RL_US_PER_MIN, 1440 * RL_US_PER_MIN};
	tl_bars b = {1, r->ntimeline, 0, unit_us[r->by]};
	size_t need = (r->ntimeline + TL_BARS - 1) / TL_BARS;
	const unsigned *list = nice[r->by == RL_BY_DAY ? 2 : r->by == RL_BY_HOUR ? 1 : 0];
	if (need <= 1)
		return b;
	b.k = need;
	for (int i = 0; i < 12 && list[i]; i++)
		if (list[i] >= need) {
			b.k = list[i];
			break;
		}
	long long u0 = (long long)rl_floor_div(r->timeline[0].start_us, b.unit_us), k = (long long)b.k;
	b.off = -(u0 - (long long)rl_floor_div(u0, k) * k);
	b.n = (size_t)(((long long)r->ntimeline - b.off + k - 1) / k);
	return b;
}

/* The sums of the buckets of bar i, its start that of the bar. */
static rl_report_bucket bucket_sum(const rl_report *r, const tl_bars *b, size_t i)
{
	long long lo = b->off + (long long)(i * b->k);
	rl_report_bucket s = {r->timeline[0].start_us + lo * b->unit_us, 0, 0, 0, 0, 0};
	for (long long j = lo < 0 ? 0 : lo; j < lo + (long long)b->k && j < (long long)r->ntimeline; j++) {
		s.attempts += r->timeline[j].attempts;
		s.errors += r->timeline[j].errors;
		s.retryable_errors += r->timeline[j].retryable_errors;
		s.retries += r->timeline[j].retries;
		s.blind_4xx += r->timeline[j].blind_4xx;
	}
	return s;
}

/* The x tick label of a bar starting at when (RFC 3339): the date per day, else the time
 * of day, with the date when the timeline spans a day or more. */
static void x_label(FILE *f, char *when, rl_report_by by, bool long_span)
{
	if (by == RL_BY_DAY)
		fprintf(f, "%.10s", when);
	else if (long_span)
		fprintf(f, "%.5s %.5s", when + 5, when + 11);
	else
		fprintf(f, "%.5s", when + 11);
}

/* Attempts per bucket, stacked: first attempts, retries, blind 4xx retries (a part of the
 * retries, so a bar is the bucket's attempts); errors as a line over them. */
void rl_html_chart_timeline(FILE *f, const rl_report *r)
{
	static const char *const unit[] = {"minute", "minute", "hour", "day"};
	tl_bars bars = r->ntimeline ? bars_of(r) : (tl_bars){1, 0, 0, RL_US_PER_MIN};
	size_t k = bars.k, nbar = bars.n;
	uint64_t max = 0;
	fputs("<section class=\"panel\" id=\"charts\">\n<h2>Traffic over time</h2>\n", f);
	for (size_t i = 0; i < nbar; i++) {
		rl_report_bucket s = bucket_sum(r, &bars, i);
		max = s.attempts > max ? s.attempts : max;
	}
	if (max == 0) {
		empty(f, "No attempts in this window: there is no timeline to draw.");
		return;
	}
	uint64_t step = tick_step(max), top = (max + step - 1) / step * step;
	double pw = TL_W - TL_L - TL_R, ph = TL_H - TL_T - TL_B, bw = pw / (double)nbar, y0 = TL_T + ph;
	bool long_span = r->timeline[r->ntimeline - 1].start_us - r->timeline[0].start_us >= 1440 * RL_US_PER_MIN;
	size_t every = (nbar + 7) / 8; /* a tick label every this many bars */
	char when[32], a[32], b[32], c[32], d[32], span[64] = "", per[48];
	if (k > 1)
		snprintf(span, sizeof span, " (%zu %ss)", k, unit[r->by]);
	if (k > 1)
		snprintf(per, sizeof per, "%zu %ss", k, unit[r->by]);
	else
		snprintf(per, sizeof per, "%s", unit[r->by]);
	fprintf(f,
		"<p class=\"lede\">Attempts per %s (UTC), by when they started.</p>\n"
		"<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-labelledby=\"tl-t\">"
		"<title id=\"tl-t\">Attempts, retries and errors per %s</title>\n",
		per, TL_W, TL_H, per);
	for (uint64_t v = 0; v <= top; v += step) {
		double y = y0 - ph * (double)v / (double)top;
		fprintf(f,
			"<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
			"<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
			TL_L, TL_W - TL_R, y, y, TL_L - 6, y + 4, num(a, v));
	}
	fprintf(f,
		"<text class=\"atitle\" transform=\"translate(14 %.1f) rotate(-90)\" text-anchor=\"middle\">"
		"attempts</text>\n",
		TL_T + ph / 2);
	/* Retry storms (SPEC §6 retries.storms) will be shaded here, behind the bars: one
	 * <rect class="storm"> per storm, from the bar of its start to the bar of its end,
	 * with a <title> of its minutes, retries and amplification. The report model has no
	 * storms yet. */
	for (size_t i = 0; i < nbar; i++) {
		rl_report_bucket s = bucket_sum(r, &bars, i);
		uint64_t blind = s.blind_4xx < s.retries ? s.blind_4xx : s.retries;
		const uint64_t part[3] = {s.attempts > s.retries ? s.attempts - s.retries : 0, s.retries - blind,
					  blind};
		static const char *const cls[3] = {"t-first", "t-retry", "t-blind"};
		double x = TL_L + bw * (double)i, w = bw > 3 ? bw * 0.78 : bw, y = y0;
		w = w > TL_BAR_MAX ? TL_BAR_MAX : w;
		rl_timestamp_format(s.start_us, when);
		fprintf(f, "<g class=\"hit\"><title>%s%s: %s attempts, %s retries (%s blind 4xx), %s errors</title>",
			when, span, num(a, s.attempts), num(b, s.retries), num(c, s.blind_4xx), num(d, s.errors));
		for (int j = 0; j < 3; j++) {
			double h = ph * (double)part[j] / (double)top;
			if (part[j] == 0)
				continue;
			y -= h;
			fprintf(f, "<rect class=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"/>", cls[j],
				x + (bw - w) / 2, y, w, h);
		}
		fputs("</g>\n", f);
		if (i % every)
			continue;
		fprintf(f,
			"<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
			"<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
			x + bw / 2, x + bw / 2, y0, y0 + 4, x + bw / 2, y0 + 17);
		x_label(f, when, r->by, long_span);
		fputs("</text>\n", f);
	}
	/* the errors' line thinner where bars are narrow, not to hide them */
	double lw = bw > 6 ? 2.0 : bw > 3 ? bw / 3 : 1.0;
	fprintf(f, "<polyline class=\"ln-err\" style=\"stroke-width:%.2f\" points=\"", lw);
	for (size_t i = 0; i < nbar; i++)
		fprintf(f, "%.1f,%.1f ", TL_L + bw * ((double)i + 0.5),
			y0 - ph * (double)bucket_sum(r, &bars, i).errors / (double)top);
	fputs("\"/>\n", f);
	for (size_t i = 0; nbar <= 60 && i < nbar; i++) {
		rl_report_bucket s = bucket_sum(r, &bars, i);
		fprintf(f,
			"<circle class=\"pt-err\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>%s: %s "
			"errors</title></circle>\n",
			TL_L + bw * ((double)i + 0.5), y0 - ph * (double)s.errors / (double)top,
			rl_timestamp_format(s.start_us, when), num(a, s.errors));
	}
	fprintf(f,
		"<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>\n"
		"<text class=\"atitle\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">start of the %s (UTC)</text>\n"
		"</svg>\n<div class=\"legend\">",
		TL_L, TL_W - TL_R, y0, y0, TL_L + pw / 2, TL_H - 6, unit[r->by]);
	legend_item(f, "t-first", "first attempts");
	legend_item(f, "t-retry", "retries");
	legend_item(f, "t-blind", "blind 4xx retries");
	legend_item(f, "line ln-err", "errors");
	fputs("</div>\n</section>\n", f);
}

/* --- horizontal bars: (2) the mixes and (3) the offenders ------------------------------ */

#define HB_ROWS 12
#define HB_SEGS (2 + RL_RC_N - RL_RC_COMPLIANT - 1) /* the offenders': blind, unsafe, verdicts */

/* One row per label, its bar stacked from segments. */
typedef struct hbar {
	double width, label_w; /* the viewBox's width, the labels' column */
	size_t label_chars; /* labels cut to this many characters (the full one in the title); 0: all */
	const char *title, *axis; /* the chart's name, the x axis' title */
	uint64_t share_of; /* the share shown beside each bar is of this; 0: none */
	bool one_seg; /* each row is one segment (its colour): no breakdown in the titles */
	int nseg;
	const char *seg_cls[HB_SEGS], *seg_name[HB_SEGS];
	size_t nrows;
	struct {
		const char *label;
		char own[16]; /* the label's storage when it is a number */
		const char *note, *why; /* shown instead of the count ("not judged"), and why (its title); or NULL */
		uint64_t seg[HB_SEGS];
	} rows[HB_ROWS];
} hbar;

static void hbar_draw(FILE *f, const hbar *hb)
{
	const double row_h = 22, pad = 6, bottom = 38, right = 116;
	double h = pad + row_h * (double)hb->nrows + bottom, pw = hb->width - hb->label_w - right;
	double y0 = pad + row_h * (double)hb->nrows;
	uint64_t max = 1, tot[HB_ROWS];
	char a[32], p[32];
	for (size_t i = 0; i < hb->nrows; i++) {
		tot[i] = 0;
		for (int j = 0; j < hb->nseg; j++)
			tot[i] += hb->rows[i].seg[j];
		max = tot[i] > max ? tot[i] : max;
	}
	uint64_t step = tick_step(max), top = (max + step - 1) / step * step;
	fprintf(f, "<svg class=\"chart\" viewBox=\"0 0 %.0f %.0f\" role=\"list\" aria-label=\"%s\">\n", hb->width, h,
		hb->title);
	for (uint64_t v = 0; v <= top; v += step) {
		double x = hb->label_w + pw * (double)v / (double)top;
		fprintf(f,
			"<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
			"<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
			x, x, pad - 2, y0 + 4, x, y0 + 17, num(a, v));
	}
	for (size_t i = 0; i < hb->nrows; i++) {
		double y = pad + row_h * (double)i, x = hb->label_w;
		fputs("<g class=\"hit\" role=\"listitem\" aria-label=\"", f);
		rl_html_put(f, hb->rows[i].label, RL_HTML_ATTR, 0);
		fprintf(f, ": %s\"><title>", num(a, tot[i]));
		rl_html_put(f, hb->rows[i].label, 0, 0);
		fputs(": ", f);
		rl_html_put(f, hb->rows[i].note ? hb->rows[i].why : num(a, tot[i]), 0, 0);
		for (int j = 0, n = 0; !hb->one_seg && j < hb->nseg; j++)
			if (hb->rows[i].seg[j])
				fprintf(f, "%s%s %s", n++ ? ", " : " (", hb->seg_name[j], num(a, hb->rows[i].seg[j]));
		fprintf(f, "%s</title><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", hb->one_seg ? "" : ")",
			hb->label_w - 8, y + row_h / 2 + 4);
		rl_html_put(f, hb->rows[i].label, 0, hb->label_chars);
		fputs("</text>", f);
		for (int j = 0; j < hb->nseg; j++) {
			double w = pw * (double)hb->rows[i].seg[j] / (double)top;
			if (!hb->rows[i].seg[j])
				continue;
			fprintf(f, "<rect class=\"%s\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\"/>",
				hb->seg_cls[j], x, y + 4, w, row_h - 8);
			x += w;
		}
		fprintf(f, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\">", x + 6, y + row_h / 2 + 4);
		if (hb->rows[i].note)
			rl_html_put(f, hb->rows[i].note, 0, 0);
		else
			fputs(num(a, tot[i]), f);
		if (hb->share_of && !hb->rows[i].note)
			fprintf(f, " \xc2\xb7 %s", rl_html_pct(p, rl_html_ratio(tot[i], hb->share_of)));
		fputs("</text></g>\n", f);
	}
	fprintf(f,
		"<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>"
		"<text class=\"atitle\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n</svg>\n",
		hb->label_w, hb->label_w, pad - 2, y0, hb->label_w + pw / 2, h - 5, hb->axis);
}

/* The requests that saw a failure, by how they ended; the single failed attempts never
 * retried of gave up and open in a lighter shade. */
static void chart_outcomes(FILE *f, const rl_report *r)
{
	const __typeof__(r->retries) *t = &r->retries;
	hbar hb = {.width = 480, .label_w = 138, .title = "Outcomes", .axis = "requests that saw a failure", .nseg = 5};
	static const char *const cls[5] = {"o-recovered", "o-gave_up", "o-gave_up1", "o-open", "o-open1"};
	static const char *const name[5] = {"recovered", "after retries", "never retried", "after retries",
					    "never retried"};
	uint64_t gs = t->gave_up_single < t->gave_up ? t->gave_up_single : t->gave_up;
	uint64_t os = t->open_single < t->open ? t->open_single : t->open;
	hb.share_of = t->recovered + t->gave_up + t->open;
	if (!hb.share_of)
		return;
	for (int j = 0; j < 5; j++)
		hb.seg_cls[j] = cls[j], hb.seg_name[j] = name[j];
	hb.rows[0].label = "recovered", hb.rows[0].seg[0] = t->recovered;
	hb.rows[1].label = "gave up", hb.rows[1].seg[1] = t->gave_up - gs, hb.rows[1].seg[2] = gs;
	hb.rows[2].label = "open", hb.rows[2].seg[3] = t->open - os, hb.rows[2].seg[4] = os;
	hb.nrows = 3;
	fputs("<h2 class=\"second\">Outcomes</h2>\n<p class=\"lede\">Requests that saw a failure, by how they ended; "
	      "the lighter part: a single failed attempt, never retried.</p>\n",
	      f);
	hbar_draw(f, &hb);
	fputs("<div class=\"legend\">", f);
	legend_item(f, "o-recovered", "recovered");
	legend_item(f, "o-gave_up", "gave up");
	legend_item(f, "o-open", "open");
	fputs("</div>\n", f);
}

/* (2a) The retries that followed a retryable error, by backoff verdict, then the
 * outcomes. */
void rl_html_chart_verdicts(FILE *f, const rl_report *r)
{
	hbar hb = {.width = 480, .label_w = 138, .title = "Backoff verdicts", .axis = "backoff-checked retries"};
	char cls[HB_SEGS][48], why[256];
	uint64_t checked = r->retries.count[RL_RC_CHECKED];
	fputs("<section class=\"panel\">\n<h2>Backoff verdicts</h2>\n", f);
	if (!checked) {
		fputs("<p class=\"empty\">No retry followed a retryable error, so no backoff was checked.</p>\n", f);
	} else {
		fputs("<p class=\"lede\">Retries after a retryable error, judged by the policy.</p>\n", f);
		hb.share_of = checked;
		hb.one_seg = true;
		hb.nseg = RL_RC_N - RL_RC_COMPLIANT;
		hb.nrows = (size_t)hb.nseg;
		for (int j = 0; j < hb.nseg; j++) {
			snprintf(cls[j], sizeof cls[j], "k-%s", rl_retry_counter_name(RL_RC_COMPLIANT + j));
			hb.seg_cls[j] = cls[j];
			hb.seg_name[j] = hb.rows[j].label = rl_retry_counter_name(RL_RC_COMPLIANT + j);
			hb.rows[j].seg[j] = r->retries.count[RL_RC_COMPLIANT + j];
			if (RL_RC_COMPLIANT + j == RL_RC_NO_JITTER)
				hb.rows[j].why = rl_report_not_judged(r, true, hb.rows[j].seg[j], why, sizeof why);
			hb.rows[j].note = hb.rows[j].why ? "not judged" : NULL;
		}
		hbar_draw(f, &hb);
	}
	chart_outcomes(f, r);
	fputs("</section>\n", f);
}

/* (2b) Attempts by status, coloured by the policy's class; past HB_ROWS − 1 statuses
 * the ones with the fewest attempts share an "other" row. */
void rl_html_chart_status(FILE *f, const rl_report *r)
{
	hbar hb = {.width = 480, .label_w = 70, .title = "Status mix", .axis = "attempts", .nseg = 4};
	static const char *const cls[4] = {"s-success", "s-retryable", "s-nonretryable", "s-none"};
	static const char *const name[4] = {"success", "retryable error", "non-retryable error", "no status"};
	size_t keep = r->nstatus > HB_ROWS ? HB_ROWS - 1 : r->nstatus;
	bool other = false;
	fputs("<section class=\"panel\">\n<h2>Status mix</h2>\n", f);
	if (!r->nstatus || !r->totals.attempts) {
		empty(f, "No attempts, so no statuses.");
		return;
	}
	fputs("<p class=\"lede\">Attempts by response status, coloured by the policy's class.</p>\n", f);
	hb.share_of = r->totals.attempts;
	for (int j = 0; j < 4; j++)
		hb.seg_cls[j] = cls[j], hb.seg_name[j] = name[j];
	for (size_t i = 0; i < r->nstatus; i++) {
		const rl_report_status *s = &r->status[i];
		size_t rank = 0; /* statuses with more attempts, or as many and listed first */
		for (size_t j = 0; j < r->nstatus; j++)
			rank += r->status[j].count > s->count || (r->status[j].count == s->count && j < i);
		int c = s->status < 0 ? 3 : !s->failure ? 0 : s->retryable ? 1 : 2;
		size_t n = rank < keep ? hb.nrows++ : keep;
		if (rank >= keep)
			hb.rows[n].label = "other", other = true;
		else if (s->status < 0)
			hb.rows[n].label = "none";
		else
			snprintf(hb.rows[n].own, sizeof hb.rows[n].own, "%d", s->status),
				hb.rows[n].label = hb.rows[n].own;
		hb.rows[n].seg[c] += s->count;
	}
	hb.nrows += other;
	hbar_draw(f, &hb);
	fputs("<div class=\"legend\">", f);
	for (int j = 0; j < 4; j++)
		legend_item(f, cls[j], name[j]);
	fputs("</div>\n</section>\n", f);
}

/* (3) The clients with the most violations (the first ten of the report's order), each
 * bar split by kind of violation. */
void rl_html_chart_offenders(FILE *f, const rl_report *r)
{
	hbar hb = {.width = 960, .label_w = 300, .label_chars = 44, .title = "Top offenders", .axis = "violations"};
	char cls[HB_SEGS][48];
	int idx[HB_SEGS];
	idx[hb.nseg++] = RL_RC_BLIND_4XX;
	idx[hb.nseg++] = RL_RC_UNSAFE;
	for (int i = RL_RC_COMPLIANT + 1; i < RL_RC_N && hb.nseg < HB_SEGS; i++)
		idx[hb.nseg++] = i;
	for (int j = 0; j < hb.nseg; j++) {
		snprintf(cls[j], sizeof cls[j], "k-%s", rl_retry_counter_name(idx[j]));
		hb.seg_cls[j] = cls[j];
		hb.seg_name[j] = rl_retry_counter_name(idx[j]);
	}
	for (size_t i = 0; i < r->nclients && hb.nrows < 10; i++) {
		const rl_report_client *c = &r->clients[i];
		if (!c->v[RL_CL_VIOLATIONS])
			continue;
		hb.rows[hb.nrows].label = c->name ? c->name : "";
		for (int j = 0; j < hb.nseg; j++)
			hb.rows[hb.nrows].seg[j] = c->v[RL_CL_OF_RC(idx[j])];
		hb.nrows++;
	}
	/* the labels' column as wide as the longest label needs (about 6.5 units a character) */
	size_t longest = 8;
	for (size_t i = 0; i < hb.nrows; i++) {
		size_t n = strlen(hb.rows[i].label);
		longest = n > longest ? n : longest;
	}
	longest = longest < hb.label_chars ? longest : hb.label_chars;
	hb.label_w = 16 + 6.5 * (double)longest;
	fputs("<section class=\"panel\">\n<h2>Top offenders</h2>\n", f);
	if (!hb.nrows) {
		empty(f, "No client broke the policy: no blind or unsafe retries, no backoff violations.");
		return;
	}
	fputs("<p class=\"lede\">Clients by violations: blind + unsafe + backoff verdicts other than compliant.</p>\n",
	      f);
	hbar_draw(f, &hb);
	fputs("<div class=\"legend\">", f);
	for (int j = 0; j < hb.nseg; j++)
		legend_item(f, cls[j], hb.seg_name[j]);
	fputs("</div>\n</section>\n", f);
}
