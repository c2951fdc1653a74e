/* Writes the seed corpus of fuzz_open into DIR (run by hand when the format
 * changes: make_open_seeds tests/fuzz/seeds/open). Uses the fuzzer's keys. */
#include "fuzz_open.h"
#include "outbox.h"
#include "report.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void put(const char *dir, const char *name, char mode, const void *data, size_t len)
{
    char p[4096];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    if (!f || fputc(mode, f) == EOF || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(p);
        exit(1);
    }
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        exit(1);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    uint8_t *b = malloc(*len);
    if (fread(b, 1, *len, f) != *len)
        exit(1);
    fclose(f);
    return b;
}

static void last_archive(void *ctx, const char *path, size_t reports, bool existed)
{
    (void)reports;
    (void)existed;
    snprintf(ctx, 4096, "%s", path);
}

int main(int argc, char **argv)
{
    if (argc != 2 || keys_init() != 0)
        return 2;
    const char *dir = argv[1];
    struct keys_helpline *h = fuzz_helpline();
    struct keys_kiosk *k = fuzz_kiosk();
    struct report_meta m = {.route = REPORT_ROUTE_ADULT, .reporter = REPORT_BY_SELF,
                            .language = "ur", .kiosk_id = "seed-kiosk", .app_version = "0.1.0",
                            .created_at = 1735732800};
    char tmp[] = "/tmp/hifazat-seeds-XXXXXX";
    if (!mkdtemp(tmp))
        return 1;
    enum queue_err qe;
    char msg[300];
    struct queue *q = queue_open(tmp, 0, &qe, msg, sizeof(msg));
    if (!q)
        return 1;
    const char *lines[] = {
        "{\"kind\":\"image\",\"size\":361182,\"md5\":\"d35c785545392755e7e4164457657269\","
        "\"sha256\":\"b5b0799616df52d475a3968dc7e54f1d0724c912244ffa6175bc786375dd7298\","
        "\"pdq\":\"d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22\",\"pdq_quality\":100,"
        "\"pdq_full\":\"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\",\"pdq_full_quality\":100}",
        "{\"kind\":\"video\",\"size\":2117802,\"md5\":\"0a21c8f85a55a9e276ffc2c53f6887c4\","
        "\"sha256\":\"13e290f217e19427f959b9cd629c336eeb04b035ae8fe0e28c345d37ec906882\","
        "\"vpdq\":[\"d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22,100,0.000\","
        "\"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22,48,1.000\"]}",
    };
    uint8_t *sealed = NULL;
    size_t slen = 0;
    for (int i = 0; i < 3; i++) {
        struct report *r = report_create(&m);
        for (int l = 0; l <= (i == 1); l++) {
            json_t *j = json_loads(lines[i == 2 ? 1 : l], 0, NULL);
            if (report_add_hash_json(r, j) != 0)
                return 1;
            json_decref(j);
        }
        struct report_receipt rc;
        if (i == 0) {
            if (report_seal(r, k, keys_helpline_public(h), &sealed, &slen) != 0)
                return 1;
        }
        if (queue_add_report(q, r, k, keys_helpline_public(h), &rc) != 0)
            return 1;
        report_destroy(r);
    }
    char path[4096];
    if (outbox_export(q, k, tmp, NULL, last_archive, path, msg, sizeof(msg)) != 3)
        return 1;
    size_t alen;
    uint8_t *arch = read_all(path, &alen);
    put(dir, "archive", 'A', arch, alen);
    put(dir, "sealed", 'A', sealed, slen);
    /* the decrypted plaintext of that sealed report, and its body */
    uint8_t *plain = malloc(slen);
    if (crypto_box_seal_open(plain, sealed + 13, slen - 13, keys_helpline_public(h),
                             keys_helpline_secret(h)) != 0)
        return 1;
    put(dir, "plaintext", 'P', plain, slen - 13 - crypto_box_SEALBYTES);
    size_t unpadded;
    sodium_unpad(&unpadded, plain, slen - 13 - crypto_box_SEALBYTES, slen - 13 - crypto_box_SEALBYTES);
    put(dir, "body.json", 'J', plain + 101, unpadded - 101);
    printf("seeds written to %s\n", dir);
    free(plain);
    free(arch);
    free(sealed);
    queue_close(q);
    keys_kiosk_close(k);
    keys_helpline_close(h);
    char rm[256];
    snprintf(rm, sizeof(rm), "rm -rf %s", tmp);
    return system(rm) == 0 ? 0 : 1;
}
