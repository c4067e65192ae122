/* nginx.c - placeholder while the format is being written (this session). */
#include "lib/format/format.h"

int rl_nginx_format_new(rl_format **out, const char *log_format, const rl_format_opts *opts, rl_err *err)
{
	(void)log_format;
	(void)opts;
	*out = NULL;
	return rl_err_set(err, RL_EUSAGE, "--format", 0, "format nginx is not built yet");
}
