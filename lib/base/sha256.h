/* base/sha256.h - SHA-256 (FIPS 180-4), for client keys that must not be stored in clear.
 *
 * SPEC §3: a client taken from a key-like header is stored as "sha256:" and the first
 * 16 hex digits of the digest of the raw value. Small, allocation-free, not constant
 * time (it hashes log content, not secrets being verified). */
#ifndef RL_SHA256_H
#define RL_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* The 32-byte digest of the n bytes at p. */
void rl_sha256(const void *p, size_t n, uint8_t out[32]);

#endif
