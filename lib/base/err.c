/* base/err.c - filling rl_err. */
#include "lib/base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int rl_err_set(rl_err *err, int code, const char *source, long long line, const char *fmt, ...)
{
	if (!err)
		return code;
	err->code = code;
	snprintf(err->source, sizeof err->source, "%s", source ? source : "");
	err->line = line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return code;
}

void rl_err_clear(rl_err *err)
{
	if (err)
		memset(err, 0, sizeof *err);
}
