/* retry/evidence.h - a chain's evidence, a struct from the chain detector to the renderer.
 *
 * A chain with violations reports its first attempts (rl_evidence: steps, the first
 * attempt's method and target) to its sink. The client table keeps the best one per
 * client as a blob (rl_evidence_encode: little-endian fields, lib/base/blob.h), the
 * store writes the blob to client.evidence as it is, and the report decodes it into an
 * rl_evidence_doc that the renderers print. No stage between the chain and the renderer
 * formats or parses text: the JSON and text of a step are made only when printed.
 *
 * Blob layout (version 1): u8 version, u32 attempts, u8 steps, str method, str target
 * (cleaned, lib/base/text.h), then per step i64 start, i32 wait, i16 status, u8 verdict,
 * u8 flags; a str is a u16 length and its bytes. */
#ifndef RL_EVIDENCE_H
#define RL_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/blob.h"
#include "lib/retry/verdict.h"

enum {
	RL_STEP_FIRST = 1, /* the chain's first attempt */
	RL_STEP_BLIND = 2, /* a blind 4xx retry */
	RL_STEP_UNSAFE = 4, /* an unsafe retry */
	RL_STEP_CHECKED = 8, /* backoff-checked: verdict holds the result */
	RL_STEP_EXACT = 16, /* (rule 4) within 5 ms of the nominal wait on its own */
};

typedef struct rl_evidence_step {
	int64_t start_us;
	int32_t wait_us; /* INT32_MIN for the first attempt; clamped */
	int16_t status; /* < 0: none logged */
	uint8_t verdict; /* rl_verdict */
	uint8_t flags; /* RL_STEP_* */
} rl_evidence_step;

#define RL_EVIDENCE_STEPS 12 /* a chain's first attempts kept as evidence */
#define RL_TARGET_MAX 120 /* bytes of the target kept for evidence */

/* What a chain reports (lib/retry/chain.h's sink): ids are this run's. */
typedef struct rl_evidence {
	uint64_t client;
	unsigned violations;
	int64_t first_start_us;
	uint16_t endpoint;
	uint8_t method;
	const char *target; /* NUL-terminated, "" when not kept */
	unsigned nsteps; /* steps kept (≤ RL_EVIDENCE_STEPS) */
	unsigned attempts; /* attempts in the chain */
	const rl_evidence_step *steps;
} rl_evidence;

/* Evidence as the report holds it: one allocation, strings inside it (free() it). */
typedef struct rl_evidence_doc {
	unsigned attempts; /* attempts in the chain */
	unsigned nsteps; /* ≤ RL_EVIDENCE_STEPS */
	const char *method; /* the first attempt's, "-" when unknown */
	const char *target; /* cleaned: printable as it is */
	rl_evidence_step steps[RL_EVIDENCE_STEPS];
} rl_evidence_doc;

#define RL_EVIDENCE_VERSION 1

/* One step in a blob, little-endian: i64 start, i32 wait, i16 status, u8 verdict, u8
 * flags (the evidence blob and the saved chain states write steps the same way). */
#define RL_EVIDENCE_STEP_BYTES 16
void rl_evidence_step_put(rl_blob *b, const rl_evidence_step *st);
void rl_evidence_step_get(rl_blob *b, rl_evidence_step *st);

/* Writes the blob of ev (method: the name of ev->method, NULL when unknown) into out,
 * cap bytes. Returns its length; when that is more than cap, nothing usable was
 * written: call again with that much room. */
size_t rl_evidence_encode(const rl_evidence *ev, const char *method, void *out, size_t cap);

/* The same from a decoded doc (its target is already clean). */
size_t rl_evidence_encode_doc(const rl_evidence_doc *d, void *out, size_t cap);

/* The doc of a blob, malloc'd; NULL when out of memory or the blob is damaged (*damaged
 * says which; may be NULL). */
rl_evidence_doc *rl_evidence_decode(const void *blob, size_t n, bool *damaged);

/* One step's verdict as the report names it: "first", "compliant", "too_fast",
 * "blind_4xx", "unsafe+too_fast", "not_checked"… into buf. */
const char *rl_step_verdict(const rl_evidence_step *st, char *buf, size_t cap);

/* The inverse, for evidence written as text by older versions: false when s is not a
 * verdict rl_step_verdict makes. */
bool rl_step_verdict_parse(const char *s, rl_evidence_step *st);

/* A step's wait in ms as the report prints it: whole ms as an integer, else a fraction
 * (*is_int says which). False for the first attempt (no wait). */
bool rl_step_wait_ms(const rl_evidence_step *st, double *ms, bool *is_int);

#endif
