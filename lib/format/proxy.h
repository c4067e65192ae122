/* format/proxy.h - the client's address behind trusted proxies (--trusted-proxy, SPEC §2).
 *
 * Behind a proxy or load balancer the address a server logs is the proxy's; each proxy
 * appends the address it took the request from to X-Forwarded-For, and only the proxies
 * the user trusts append truthfully. The client is found as nginx's realip module finds
 * it with real_ip_recursive on. The hops, nearest first, are the logged address, then
 * the X-Forwarded-For entries from the right (a list logged where the address goes is
 * read as hops the same way, its right-most entry the nearest):
 *
 *   - while the current hop is in a trusted range, the next hop to its left is taken;
 *     the first hop outside them is the client (an untrusted logged address is the
 *     client whatever the header says: a client can forge it);
 *   - when every hop is trusted, the left-most is the client;
 *   - an entry that is no address ("unknown", "_hidden", garbage) ends the walk: the
 *     client is the hop to its right, the trusted proxy that wrote it.
 *
 * Entries are split at commas and blanks; they may carry a port ("1.2.3.4:5678",
 * "[2001:db8::1]:443"). An IPv4-mapped IPv6 address (::ffff:10.1.2.3) is the IPv4
 * address: it matches IPv4 ranges. The client is the chosen hop's address as text,
 * without port or brackets: a view into the inputs. Nothing allocates; a table is
 * parsed once, when a format is made (rl_format_new), and read per line. */
#ifndef RL_FORMAT_PROXY_H
#define RL_FORMAT_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/base/err.h"
#include "lib/base/text.h"

#define RL_PROXY_MAX 64 /* ranges in a table */

/* One range: an IPv4 network in addr[0..4) or an IPv6 network in addr[0..16), its bits
 * past the prefix zero. */
typedef struct rl_proxy_range {
	uint8_t addr[16];
	uint8_t bits; /* the prefix length: 0..32 (IPv4) or 0..128 (IPv6) */
	bool v4;
} rl_proxy_range;

typedef struct rl_proxy_table {
	rl_proxy_range range[RL_PROXY_MAX];
	size_t n;
	bool unix_socket; /* "unix:" is trusted (nginx's set_real_ip_from unix:) */
} rl_proxy_table;

/* Adds the range the text cidr names to t: "10.0.0.0/8", "2001:db8::/32",
 * "::ffff:10.0.0.0/104" (the IPv4 range 10.0.0.0/8), a bare address (/32 or /128), or
 * "unix:" (a server behind a local proxy logs its address so). Bits past the prefix are
 * ignored. Returns 0, or RL_EUSAGE with err's source "--trusted-proxy" and a message
 * that quotes cidr and says what is wrong with it. */
int rl_proxy_table_add(rl_proxy_table *t, const char *cidr, rl_err *err);

/* Whether the hop text (an address, with or without a port) is in a range of t. */
bool rl_proxy_table_has(const rl_proxy_table *t, rl_str hop);

/* The client's address (see the top of this file) from the logged address addr and the
 * X-Forwarded-For value forwarded_for, either of which may be empty: a view into one of
 * them; addr as it is when neither holds a hop. */
rl_str rl_proxy_client(const rl_proxy_table *t, rl_str addr, rl_str forwarded_for);

#endif
