/* barepass.c - the floor the benchmark holds retrylens to: one bare PCRE2-JIT pass.
 *
 *   barepass FILE
 *
 * Reads FILE in 1 MiB blocks, splits it into lines, and matches each with the pattern
 * of retrylens' combined format (clf.c's, copied here) compiled once with JIT; for each
 * match it reads the fields a report needs from the offsets (status and bytes as
 * numbers, the lengths of address, time, request and user agent) and sums them, so
 * that nothing can be left out. No analysis, no database: what a tool that only parses
 * could do on one core. Prints the lines, the matches and the sums. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <fcntl.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUOTED "[^\"\\\\]*+(?:\\\\.[^\"\\\\]*+)*+"
static const char pattern[] = "^(?<clf_prefix>[^\\[]*+)\\[(?<time_local>[^\\]]{1,40})\\][ \\t]+"
			      "\"(?|(?<request>" QUOTED ")|(?<request>.*?))\"[ \\t]+"
			      "(?<status>\\d{3}|-)[ \\t]+(?<body_bytes_sent>\\d+|-)"
			      "(?:[ \\t]+\"(?<http_referer>" QUOTED ")\"(?:[ \\t]+\"(?<http_user_agent>" QUOTED
			      ")\"(?:[ \\t]+\"(?<http_x_forwarded_for>" QUOTED ")\")?)?)?";

static unsigned long long number(const char *p, size_t n)
{
	unsigned long long v = 0;
	for (size_t i = 0; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		v = v * 10 + (unsigned)(p[i] - '0');
	return v;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: barepass FILE\n");
		return 2;
	}
	int ec;
	PCRE2_SIZE eo;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_DUPNAMES, &ec, &eo, NULL);
	if (!re || pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) != 0) {
		fprintf(stderr, "barepass: the pattern does not compile with JIT\n");
		return 1;
	}
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	size_t cap = 1 << 20, have = 0;
	char *buf = malloc(cap);
	unsigned long long lines = 0, matched = 0, sum = 0;
	for (;;) {
		ssize_t r = read(fd, buf + have, cap - have);
		if (r < 0) {
			perror(argv[1]);
			return 1;
		}
		have += (size_t)r;
		size_t start = 0;
		for (;;) {
			char *nl = memchr(buf + start, '\n', have - start);
			if (!nl && r > 0)
				break;
			size_t end = nl ? (size_t)(nl - buf) : have;
			if (end == start && !nl)
				break;
			lines++;
			if (pcre2_jit_match(re, (PCRE2_SPTR)buf + start, end - start, 0, 0, md, NULL) > 0) {
				PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
				const char *p = buf + start;
				matched++;
				sum += number(p + ov[8], ov[9] - ov[8]) + number(p + ov[10], ov[11] - ov[10]);
				sum += (ov[3] - ov[2]) + (ov[5] - ov[4]) + (ov[7] - ov[6]);
				if (ov[14] != PCRE2_UNSET)
					sum += ov[15] - ov[14];
			}
			start = end + 1;
			if (!nl)
				break;
		}
		if (r == 0)
			break;
		memmove(buf, buf + start, have - start);
		have -= start;
		if (have == cap && !(buf = realloc(buf, cap *= 2))) {
			perror("barepass");
			return 1;
		}
	}
	printf("lines=%llu matched=%llu sum=%llu\n", lines, matched, sum);
	close(fd);
	free(buf);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return 0;
}
