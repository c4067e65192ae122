/* store/legacy.c - what older schemas wrote that a migration converts in SQL.
 *
 * Up to schema version 4, client.evidence held JSON text ({"attempts": n, "steps":
 * [{start, method, target, status, wait_ms, verdict}…]}, as the report prints it).
 * sql/migrate/0005_evidence_blob.sql turns each into the blob of lib/retry/evidence.h
 * through rl_evidence_from_json(), registered here on the migrating connection. Every
 * field maps back exactly: the JSON was made from the same struct. */
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/base/timestamp.h"
#include "lib/retry/evidence.h"
#include "lib/store/internal.h"

/* The inverse of rl_timestamp_format: "[-]yyyy-mm-ddThh:mm:ss[.fff|.ffffff]Z", any
 * number of year digits. */
static bool parse_time(const char *s, int64_t *us)
{
	bool neg = *s == '-';
	s += neg;
	int64_t y = 0;
	int nd = 0;
	for (; *s >= '0' && *s <= '9' && nd < 12; s++, nd++)
		y = y * 10 + (*s - '0');
	unsigned v[5];
	const char seps[] = "--T::";
	if (nd < (neg ? 3 : 4)) /* "%04lld": -1 is "-001" */
		return false;
	for (int i = 0; i < 5; i++) {
		if (*s++ != seps[i] || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
			return false;
		v[i] = (unsigned)((s[0] - '0') * 10 + (s[1] - '0'));
		s += 2;
	}
	int64_t frac = 0;
	if (*s == '.') {
		int n = 0;
		for (s++; *s >= '0' && *s <= '9' && n < 6; s++, n++)
			frac = frac * 10 + (*s - '0');
		if (n != 3 && n != 6)
			return false;
		if (n == 3)
			frac *= 1000;
	}
	if (strcmp(s, "Z") != 0 || v[0] < 1 || v[0] > 12 || v[1] < 1 || v[1] > 31 || v[2] > 23 || v[3] > 59 ||
	    v[4] > 59)
		return false;
	int64_t days = rl_days_from_civil(neg ? -y : y, v[0], v[1]);
	*us = ((days * 86400 + v[2] * 3600 + v[3] * 60 + v[4]) * RL_US_PER_S) + frac;
	return true;
}

/* The steps of one JSON evidence into d; false when it is not what version 4 wrote. */
static bool from_json(json_t *o, rl_evidence_doc *d)
{
	json_t *steps = json_object_get(o, "steps"), *n = json_object_get(o, "attempts");
	if (!json_is_array(steps) || !json_is_integer(n) || json_array_size(steps) > RL_EVIDENCE_STEPS ||
	    json_integer_value(n) < 0 || json_integer_value(n) > UINT_MAX)
		return false;
	d->attempts = (unsigned)json_integer_value(n);
	d->nsteps = (unsigned)json_array_size(steps);
	d->method = "-";
	d->target = "";
	size_t i;
	json_t *s;
	json_array_foreach (steps, i, s) {
		rl_evidence_step *st = &d->steps[i];
		const char *start = json_string_value(json_object_get(s, "start"));
		const char *verdict = json_string_value(json_object_get(s, "verdict"));
		json_t *status = json_object_get(s, "status"), *wait = json_object_get(s, "wait_ms");
		if (!start || !parse_time(start, &st->start_us) || !verdict || !rl_step_verdict_parse(verdict, st))
			return false;
		if (json_is_integer(status) && json_integer_value(status) >= 0 &&
		    json_integer_value(status) <= INT16_MAX)
			st->status = (int16_t)json_integer_value(status);
		else if (json_is_null(status))
			st->status = -1;
		else
			return false;
		if (json_is_null(wait))
			st->wait_us = INT32_MIN;
		else if (json_is_number(wait) && fabs(json_number_value(wait)) <= INT32_MAX / 1000.0)
			st->wait_us = (int32_t)llround(json_number_value(wait) * 1000.0);
		else
			return false;
		/* every step carries the chain's first method and target */
		const char *m = json_string_value(json_object_get(s, "method"));
		const char *t = json_string_value(json_object_get(s, "target"));
		if (i == 0) {
			d->method = m ? m : "-";
			d->target = t ? t : "";
		}
	}
	return true;
}

static void evidence_from_json(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(cx);
		return;
	}
	const char *text = (const char *)sqlite3_value_text(argv[0]);
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;
	rl_evidence_doc d;
	if (!o || !from_json(o, &d)) {
		json_decref(o);
		sqlite3_result_error(cx, "client.evidence holds JSON that no retrylens wrote", -1);
		return;
	}
	size_t n = rl_evidence_encode_doc(&d, NULL, 0);
	void *blob = sqlite3_malloc64(n);
	if (!blob) {
		json_decref(o);
		sqlite3_result_error_nomem(cx);
		return;
	}
	rl_evidence_encode_doc(&d, blob, n);
	json_decref(o);
	sqlite3_result_blob(cx, blob, (int)n, sqlite3_free);
}

int rl_store_legacy_register(rl_store *st, rl_err *err)
{
	if (sqlite3_create_function(st->db, "rl_evidence_from_json", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
				    evidence_from_json, NULL, NULL) != SQLITE_OK)
		return rl_store_db_err(st, err, "cannot prepare the migration");
	return 0;
}
