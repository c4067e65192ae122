/* base/err.h - system failures, as opposed to bad input lines.
 *
 * Two kinds of failure never mix in retrylens: a line that cannot be parsed is data (a
 * reject reason the caller counts and samples); a failure of the system (a file that
 * cannot be opened, a database that cannot be written, a bad option) is returned as a
 * negative RL_E* code, with the details in an optional caller-supplied rl_err. */
#ifndef RL_ERR_H
#define RL_ERR_H

#include <stddef.h>

enum {
	RL_OK = 0,
	RL_EUSAGE = -1, /* bad option, policy file or argument: the user must change the call */
	RL_EINPUT = -2, /* an input file cannot be read */
	RL_EDB = -3, /* the database cannot be opened, read or written */
	RL_ENOMEM = -4, /* out of memory */
	RL_EOUTPUT = -5, /* the output (a report on stdout) cannot be written */
};

typedef struct rl_err {
	int code; /* one of RL_E*, 0 when nothing happened */
	char source[256]; /* the file or option at fault, "" if none */
	long long line; /* line number in source, 0 if none */
	char msg[512]; /* what happened and, where possible, what to do */
} rl_err;

/* Fills err (which may be NULL) and returns code. source may be NULL. */
int rl_err_set(rl_err *err, int code, const char *source, long long line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Clears err (which may be NULL). */
void rl_err_clear(rl_err *err);

#endif
