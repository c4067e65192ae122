/* classify/identity.c - client strings and key hashes. */
#include "lib/classify/identity.h"

#include "lib/base/sha256.h"
#include "lib/base/text.h"

static size_t append(char *buf, size_t o, size_t cap, const char *p, size_t n)
{
	if (o + n > cap - 1)
		n = cap - 1 - o;
	memcpy(buf + o, p, n);
	return o + n;
}

size_t rl_identity_client(const rl_record *r, char *buf, size_t cap)
{
	size_t o = 0;
	if (r->client_id.n && r->client_is_secret) {
		/* SPEC §3: never in clear */
		uint8_t d[32];
		char hex[24];
		rl_sha256(r->client_id.p, r->client_id.n, d);
		memcpy(hex, "sha256:", 7);
		for (int i = 0; i < 8; i++) {
			hex[7 + 2 * i] = "0123456789abcdef"[d[i] >> 4];
			hex[8 + 2 * i] = "0123456789abcdef"[d[i] & 15];
		}
		o = append(buf, o, cap, hex, 23);
	} else if (r->client_id.n) {
		o = append(buf, o, cap, r->client_id.p, r->client_id.n);
	} else {
		o = append(buf, o, cap, r->addr.n ? r->addr.p : "-", r->addr.n ? r->addr.n : 1);
		o = append(buf, o, cap, " ", 1);
		o = append(buf, o, cap, r->user_agent.n ? r->user_agent.p : "-", r->user_agent.n ? r->user_agent.n : 1);
	}
	buf[o] = 0;
	return o;
}

uint32_t rl_identity_shard(const rl_record *r, uint32_t n)
{
	char buf[RL_CLIENT_MAX];
	size_t k = rl_identity_client(r, buf, sizeof buf);
	return (uint32_t)(rl_fnv1a64(buf, k) % n);
}

/* Distinct seeds keep ("a", "bc") and ("ab", "c") apart in the chained hashes. */
#define SEED_METHOD 0x9e3779b97f4a7c15ULL
#define SEED_TARGET 0xc2b2ae3d27d4eb4fULL
#define SEED_IDEM 0x165667b19e3779f9ULL
#define SEED_RID 0x27d4eb2f165667c5ULL

void rl_identity_hash(rl_str client, rl_str method, rl_str target, rl_str idem, rl_str rid, rl_identity_keys *k)
{
	uint64_t h = rl_hash_bytes(client.p, client.n, 0);
	k->client = h | 1;
	uint64_t m = rl_hash_bytes(method.p, method.n, h ^ SEED_METHOD);
	k->base = rl_hash_bytes(target.p, target.n, m ^ SEED_TARGET);
	k->idem = idem.n ? rl_hash_bytes(idem.p, idem.n, SEED_IDEM) | 1 : 0;
	k->reqkey = k->idem ? rl_hash_bytes(idem.p, idem.n, k->base ^ SEED_IDEM) : k->base;
	k->rid = rid.n ? rl_hash_bytes(rid.p, rid.n, h ^ SEED_RID) | 1 : 0;
}
