/* classify/identity.h - who a client is and which attempts are "the same request" (SPEC §3).
 *
 * Client: an explicit client field when the format logs one, else "addr user-agent",
 * where addr is the record's: with --trusted-proxy, the format has already put the
 * client's address behind the trusted proxies there (lib/format/proxy.h).
 * Its hash (rl_hash_bytes, stable across runs and machines) identifies it in the
 * database. The retry key adds method, target and idempotency key; attempts with
 * request_id and attempt number chain by client + request_id instead. */
#ifndef RL_IDENTITY_H
#define RL_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "lib/format/record.h"

#define RL_CLIENT_MAX 512 /* longer client strings are cut */

/* Writes the client string of r into buf (cap ≥ 2 bytes, NUL-terminated), raw bytes as
 * logged, and returns its length. */
size_t rl_identity_client(const rl_record *r, char *buf, size_t cap);

/* The shard of r's client among n (SPEC §4): FNV-1a 64 of its client string, mod n. */
uint32_t rl_identity_shard(const rl_record *r, uint32_t n);

typedef struct rl_identity_keys {
	uint64_t client; /* hash of the client string (never 0) */
	uint64_t base; /* client + method + target */
	uint64_t reqkey; /* base + idempotency key: the retry key */
	uint64_t idem; /* the idempotency key alone, 0 when none */
	uint64_t rid; /* client + request_id, 0 when no request_id */
} rl_identity_keys;

/* The hashes of an attempt from its client string and the other fields that make
 * a request the same one. */
void rl_identity_hash(rl_str client, rl_str method, rl_str target, rl_str idem, rl_str request_id,
		      rl_identity_keys *out);

#endif
