/* libFuzzer: everything `hifazat open` parses. The first byte picks what the
 * rest is:
 *   'J'  a decrypted report body: JSON parse + strict schema validation;
 *   'P'  a decrypted plaintext (framing, padding, signature, body): sealed
 *        here to the fuzzing helpline key, then opened (so the fuzzer gets
 *        past the authenticated encryption);
 *   else an input file: an outbox archive (tar, manifest, signature, entry
 *        checks) or a single sealed report, opened as the CLI does.
 * Seeds (seeds/open) come from make_open_seeds.c with the same fixed keys. */
#include "fuzz_open.h"
#include "outbox.h"
#include "report.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct keys_helpline *hk;

static void open_sealed(const uint8_t *s, size_t len, const uint8_t *manifest_key)
{
    struct report_opened *o = NULL;
    char err[256];
    if (report_open(s, len, hk, &o, err, sizeof(err)) == REPORT_OK) {
        const json_t *doc = report_opened_json(o);
        if (!doc || !report_opened_id(o) || strlen(report_opened_id(o)) != REPORT_ID_HEX)
            abort();
        if (manifest_key)
            (void)memcmp(manifest_key, report_opened_kiosk_key(o), KEYS_PUBLIC_SIZE);
        char *dump = json_dumps(doc, JSON_COMPACT);
        free(dump);
    }
    report_opened_free(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!hk) {
        hk = fuzz_helpline();
        if (!hk)
            abort();
    }
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    if (data[0] == 'J') {
        json_t *j = json_loadb((const char *)p, n, JSON_REJECT_DUPLICATES, NULL);
        if (j) {
            char err[200];
            int dropped = 0;
            report_validate(j, true, err, sizeof(err), &dropped);
            json_decref(j);
        }
    } else if (data[0] == 'P') {
        if (n > REPORT_MAX_BUCKET)
            return 0;
        /* the plaintext is padded to its bucket by the fuzzer's input itself */
        size_t len = REPORT_HEADER_SIZE + crypto_box_SEALBYTES + n;
        uint8_t *s = malloc(len);
        if (!s)
            return 0;
        memcpy(s, "HFZR\1", 5);
        keys_key_id(keys_helpline_public(hk), s + 5);
        crypto_box_seal(s + REPORT_HEADER_SIZE, p, n, keys_helpline_public(hk));
        open_sealed(s, len, NULL);
        free(s);
    } else if (n >= 4 && !memcmp(p, "HFZR", 4)) {
        open_sealed(p, n, NULL);
    } else {
        struct outbox_limits lim = {.max_entries = 64, .max_entry_size = 1 << 20,
                                    .max_manifest_size = 1 << 20};
        char err[200];
        struct outbox_reader *r = outbox_read(p, n, &lim, err, sizeof(err));
        for (size_t i = 0; r && i < outbox_reader_count(r); i++) {
            const struct outbox_entry *e = outbox_reader_entry(r, i);
            if (e->status == OUTBOX_ENTRY_OK || e->status == OUTBOX_ENTRY_UNVERIFIED)
                open_sealed(e->data, e->len, outbox_reader_kiosk_key(r));
        }
        outbox_reader_free(r);
    }
    return 0;
}
