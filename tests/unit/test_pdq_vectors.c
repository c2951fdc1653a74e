/* PDQ against Meta's reference, bit for bit: ../shared/pdq/ vectors.
 *   cli       every file in pnm/ (the exact pixels the reference hashed) gives
 *             the reference CLI's hash and quality;
 *   dihedral  the 8 dihedral hashes of every file in pnm/;
 *   originals every original image through our own decoders: cli-mode and
 *             full-resolution hashes equal the vectors. The only exceptions
 *             are 16-bit PNGs, where the reference keeps the low byte of each
 *             sample (a bug, ALGORITHM.md section 1); there our hash must
 *             be within TWIN_BOUND of the same picture saved with 8 bits
 *             (ImageMagick rounded the 16-bit and the 8-bit file separately,
 *             so a few pixels are one level apart).
 * Usage: test_pdq_vectors cli|dihedral|originals */
#include "check.h"
#include "hash.h"
#include "testutil.h"

#include <string.h>

static struct hash_ctx *ctx;

/* rel is relative to ../shared/pdq, as the TSV columns are. */
static int hash_path(const char *rel, struct hash_result *res)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), "pdq/%s", rel);
    return hash_file(ctx, shared_path(buf), res);
}

static char *hex(const struct pdq_hash *h)
{
    static char buf[4][PDQ_HEX_LEN + 1];
    static int i;
    char *b = buf[i++ & 3];
    pdq_hex(h, b);
    return b;
}

static void check_hash(const char *what, const char *file, const struct hash_pdq *got,
                       const char *want_hex, int want_q)
{
    struct pdq_hash want;
    REQUIRE(pdq_parse(want_hex, &want) == 0, "bad hex in vectors for %s", file);
    CHECK(got->present, "%s %s: no hash", what, file);
    CHECK(pdq_distance(&got->hash, &want) == 0, "%s %s: got %s want %s (distance %d)", what, file,
          hex(&got->hash), want_hex, pdq_distance(&got->hash, &want));
    if (want_q >= 0)
        CHECK(got->quality == want_q, "%s %s: quality %d want %d", what, file, got->quality, want_q);
}

typedef void (*row_fn)(char **f, int n);

static int for_rows(const char *tsv, int min_fields, row_fn fn)
{
    FILE *in = fopen(shared_path(tsv), "r");
    REQUIRE(in, "cannot open %s (is ../shared beside the checkout?)", shared_path(tsv));
    char line[8192];
    int rows = 0;
    REQUIRE(fgets(line, sizeof(line), in), "empty %s", tsv); /* header */
    while (fgets(line, sizeof(line), in)) {
        char *f[16];
        int n = split_tabs(line, f, 16);
        if (n < min_fields)
            continue;
        fn(f, n);
        rows++;
    }
    fclose(in);
    return rows;
}

/* vectors.tsv: file pdq_hex quality dims spectrum hashed_dims pnm ... */
static void row_cli(char **f, int n)
{
    struct hash_result res;
    hash_path(f[6], &res);
    CHECK(res.err == HASH_OK, "%s: %s", f[6], res.detail);
    check_hash("cli", f[6], &res.pdq[HASH_PDQ_CLI], f[1], atoi(f[2]));
}

/* vectors-dihedral.tsv: file quality orig hashed spectrum orig_hash rot90 ... flipminus1 */
static char pnm_of[256][2][512];
static int npnm;

static void remember_pnm(char **f, int n)
{
    if (npnm < 256) {
        snprintf(pnm_of[npnm][0], 512, "%s", f[0]);
        snprintf(pnm_of[npnm][1], 512, "%s", f[6]);
        npnm++;
    }
}

static const char *pnm_for(const char *file)
{
    for (int i = 0; i < npnm; i++)
        if (!strcmp(pnm_of[i][0], file))
            return pnm_of[i][1];
    return NULL;
}

static void row_dihedral(char **f, int n)
{
    const char *pnm = pnm_for(f[0]);
    CHECK(pnm != NULL, "no pnm for %s", f[0]);
    if (!pnm)
        return;
    struct hash_result res;
    hash_path(pnm, &res);
    CHECK(res.err == HASH_OK, "%s: %s", pnm, res.detail);
    for (int x = 0; x < PDQ_NXFORMS; x++) {
        struct hash_pdq got = {.present = true, .quality = res.dct.quality};
        pdq_dct_hash(&res.dct, (enum pdq_xform)x, &got.hash);
        char what[32];
        snprintf(what, sizeof(what), "dihedral %s", pdq_xform_name((enum pdq_xform)x));
        check_hash(what, pnm, &got, f[5 + x], atoi(f[1]));
    }
}

enum { TWIN_BOUND = 4 };

/* 16-bit originals and the 8-bit file holding the same picture. */
static const char *eight_bit_twin(const char *file)
{
    if (strstr(file, "gen_coffee_rgb16.png"))
        return "images/generated/gen_coffee_rgb16_as8.png";
    if (strstr(file, "gen_coffee_gray16.png"))
        return "images/generated/gen_coffee_gray.png";
    return NULL;
}

static char full_hex[256][2][512];
static int nfull;

static void remember_full(char **f, int n)
{
    if (nfull < 256) {
        snprintf(full_hex[nfull][0], 512, "%s", f[0]);
        snprintf(full_hex[nfull][1], 512, "%s|%s", f[1], n > 2 ? f[2] : "");
        nfull++;
    }
}

static void row_original(char **f, int n)
{
    const char *rel = f[0];
    struct hash_result res;
    hash_path(rel, &res);
    CHECK(res.err == HASH_OK, "%s: %s", rel, res.detail);

    const char *twin = eight_bit_twin(f[0]);
    if (twin) {
        struct hash_result t;
        hash_path(twin, &t);
        for (int v = HASH_PDQ_CLI; v <= HASH_PDQ_FULL; v++)
            CHECK(pdq_distance(&res.pdq[v].hash, &t.pdq[v].hash) <= TWIN_BOUND,
                  "%s: 16-bit hash %s is %d bits from its 8-bit twin %s", rel,
                  hex(&res.pdq[v].hash), pdq_distance(&res.pdq[v].hash, &t.pdq[v].hash),
                  hex(&t.pdq[v].hash));
        return;
    }
    check_hash("original cli", rel, &res.pdq[HASH_PDQ_CLI], f[1], atoi(f[2]));
    for (int i = 0; i < nfull; i++) {
        if (strcmp(full_hex[i][0], f[0]))
            continue;
        char buf[512];
        snprintf(buf, sizeof(buf), "%s", full_hex[i][1]);
        char *bar = strchr(buf, '|');
        *bar = '\0';
        check_hash("original full", rel, &res.pdq[HASH_PDQ_FULL], buf, atoi(bar + 1));
        return;
    }
    CHECK(0, "%s missing from vectors-fullres.tsv", f[0]);
}

int main(int argc, char **argv)
{
    REQUIRE(argc == 2, "usage: test_pdq_vectors cli|dihedral|originals");
    ctx = hash_ctx_create(NULL);
    REQUIRE(ctx, "hash_ctx_create");
    int rows = 0;
    if (!strcmp(argv[1], "cli")) {
        rows = for_rows("pdq/vectors.tsv", 7, row_cli);
    } else if (!strcmp(argv[1], "dihedral")) {
        for_rows("pdq/vectors.tsv", 7, remember_pnm);
        rows = for_rows("pdq/vectors-dihedral.tsv", 13, row_dihedral);
    } else if (!strcmp(argv[1], "originals")) {
        for_rows("pdq/vectors-fullres.tsv", 2, remember_full);
        rows = for_rows("pdq/vectors.tsv", 7, row_original);
    } else {
        REQUIRE(0, "unknown mode %s", argv[1]);
    }
    fprintf(stderr, "%d vectors\n", rows);
    CHECK(rows >= 75, "only %d vectors read", rows);
    hash_ctx_destroy(ctx);
    return check_exit();
}
