/* The one-pass MD5 + SHA-1 + SHA-256: known answers (RFC 1321, FIPS 180),
 * and the two-thread path fed in irregular pieces (own slots and caller
 * memory), with each digest on the worker, equals the one-thread path. */
#include "check.h"
#include "digest.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static void hexcheck(const uint8_t *b, size_t n, const char *want, const char *what)
{
    char hex[65];
    digest_hex(b, n, hex);
    CHECK(!strcmp(hex, want), "%s: %s, want %s", what, hex, want);
}

static void digest_buf(struct digest *d, const uint8_t *buf, size_t n, size_t piece, bool slots,
                       uint64_t hint, uint8_t md5[16], uint8_t sha1[20], uint8_t sha[32])
{
    digest_begin(d, hint);
    for (size_t off = 0; off < n;) {
        size_t k = n - off < piece ? n - off : piece;
        if (slots) {
            size_t cap;
            uint8_t *s = digest_slot(d, &cap);
            if (k > cap)
                k = cap;
            memcpy(s, buf + off, k);
            digest_feed(d, s, k);
        } else {
            digest_feed(d, buf + off, k);
        }
        off += k;
        piece = piece * 7 % 3000001 + 1; /* irregular sizes */
    }
    digest_end(d, md5, sha1, sha);
}

int main(void)
{
    struct digest *d = digest_create();
    REQUIRE(d, "digest_create");
    uint8_t md5[16], sha1[20], sha[32];

    digest_buf(d, (const uint8_t *)"", 0, 1, false, 0, md5, sha1, sha);
    hexcheck(md5, 16, "d41d8cd98f00b204e9800998ecf8427e", "md5('')");
    hexcheck(sha1, 20, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1('')");
    hexcheck(sha, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256('')");
    digest_buf(d, (const uint8_t *)"abc", 3, 1, false, 3, md5, sha1, sha);
    hexcheck(md5, 16, "900150983cd24fb0d6963f7d28e17f72", "md5(abc)");
    hexcheck(sha1, 20, "a9993e364706816aba3e25717850c26c9cd0d89d", "sha1(abc)");
    hexcheck(sha, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256(abc)");

    /* FIPS 180 two-block message: the padding crosses a block boundary. */
    static const char two[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    digest_buf(d, (const uint8_t *)two, strlen(two), 5, false, strlen(two), md5, sha1, sha);
    hexcheck(sha1, 20, "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "sha1(448-bit message)");
    hexcheck(sha, 32, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
             "sha256(448-bit message)");

    const size_t n = 1000000;
    uint8_t *a = malloc(n);
    memset(a, 'a', n);
    digest_buf(d, a, n, 333, false, n, md5, sha1, sha);
    hexcheck(md5, 16, "7707d6ae4e027c70eea2a935c2296f21", "md5(million a)");
    hexcheck(sha1, 20, "34aa973cd4c4daa4f61eeb2bdbad27316534016f", "sha1(million a)");
    hexcheck(sha, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "sha256(million a)");
    free(a);

    /* 37 MiB of noise: threaded (hint large) vs one thread (hint 0), two feeding styles. */
    const size_t big = (size_t)37 << 20;
    uint8_t *b = malloc(big);
    REQUIRE(b, "malloc");
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < big; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b[i] = (uint8_t)(x >> 32);
    }
    uint8_t m1[16], h1[20], s1[32], m2[16], h2[20], s2[32], m3[16], h3[20], s3[32];
    digest_buf(d, b, big, 1 << 20, false, 0, m1, h1, s1);
    digest_buf(d, b, big, 12345, true, big, m2, h2, s2);
    digest_buf(d, b, big, 4 << 20, false, big, m3, h3, s3);
    CHECK(!memcmp(m1, m2, 16) && !memcmp(h1, h2, 20) && !memcmp(s1, s2, 32),
          "threaded (slots) differs from one thread");
    CHECK(!memcmp(m1, m3, 16) && !memcmp(h1, h3, 20) && !memcmp(s1, s3, 32),
          "threaded (caller memory) differs");
    /* Each digest on the worker (which one is chosen depends on the CPU). */
    for (int w = DIGEST_WORKER_MD5; w <= DIGEST_WORKER_SHA256; w++) {
        struct digest *e = digest_create_with((enum digest_worker)w);
        REQUIRE(e, "digest_create_with");
        uint8_t m4[16], h4[20], s4[32], m5[16], h5[20], s5[32];
        digest_buf(e, b, big, 12345, true, big, m4, h4, s4);
        digest_buf(e, b, big, 3 << 20, false, big, m5, h5, s5);
        CHECK(!memcmp(m1, m4, 16) && !memcmp(h1, h4, 20) && !memcmp(s1, s4, 32),
              "worker %d (slots) differs", w);
        CHECK(!memcmp(m1, m5, 16) && !memcmp(h1, h5, 20) && !memcmp(s1, s5, 32),
              "worker %d (caller memory) differs", w);
        digest_destroy(e);
    }
    free(b);
    digest_destroy(d);
    digest_destroy(NULL);
    return check_exit();
}
