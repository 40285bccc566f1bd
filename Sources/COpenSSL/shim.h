#ifndef COPENSSL_SHIM_H
#define COPENSSL_SHIM_H
/* SHA-256 from Debian's libssl-dev (OpenSSL 3), which uses the CPU's SHA instructions.
 * The low-level one-shot below skips the EVP provider lookup that OpenSSL 3's SHA256() does on
 * every call; those functions are deprecated in 3.0 but stay for exactly this use. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <stddef.h>
#include <openssl/sha.h>

static inline void copenssl_sha256(const void *data, size_t count, unsigned char out[32]) {
    SHA256_CTX ctx;
    SHA256_Init(&ctx);
    SHA256_Update(&ctx, data, count);
    SHA256_Final(out, &ctx);
}
#endif
