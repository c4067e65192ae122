/* fuzz_evidence.c - the evidence blob decoder and the step verdict names on arbitrary bytes.
 *
 * A database's client.evidence is read back by rl_evidence_decode() (lib/retry/evidence.h),
 * which must never read past the blob. Two properties are checked: a blob that decodes,
 * with no NUL inside its strings, encodes back to the same bytes; and a verdict name that
 * rl_step_verdict_parse() reads is written back by rl_step_verdict() as the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/retry/evidence.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *blob = malloc(size ? size : 1);
	if (!blob)
		return 0;
	memcpy(blob, data, size);
	bool damaged;
	rl_evidence_doc *d = rl_evidence_decode(blob, size, &damaged);
	if (d) {
		char verdict[64];
		for (unsigned i = 0; i < d->nsteps; i++)
			(void)rl_step_verdict(&d->steps[i], verdict, sizeof verdict);
		/* 1 + 4 + 1 + 2 + 2 + steps: the strings' lengths as decoded */
		size_t strings = size - 10 - (size_t)d->nsteps * 16;
		if (strlen(d->method) + strlen(d->target) == strings) {
			unsigned char *again = malloc(size);
			if (!again || rl_evidence_encode_doc(d, again, size) != size || memcmp(again, blob, size) != 0)
				abort();
			free(again);
		}
		free(d);
	} else if (!damaged) {
		free(blob);
		return 0; /* out of memory */
	}
	/* the input as a verdict name */
	char *name = malloc(size + 1);
	if (name) {
		memcpy(name, data, size);
		name[size] = 0;
		rl_evidence_step st;
		char back[64];
		if (strlen(name) == size && size < 48 && rl_step_verdict_parse(name, &st) &&
		    strcmp(rl_step_verdict(&st, back, sizeof back), name) != 0)
			abort();
		free(name);
	}
	free(blob);
	return 0;
}
