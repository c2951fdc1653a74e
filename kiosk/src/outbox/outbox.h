/* outbox — archives of sealed reports, for a courier USB stick or the upload
 * spool (libarchive, pax tar, no compression: sealed reports do not compress).
 *
 * An archive holds, in this order (docs/report-format.md):
 *   manifest.json      report ids, sizes and SHA-256 of each sealed file,
 *                      the kiosk's public key, the export time
 *   manifest.sig       Ed25519 signature of manifest.json by the kiosk key
 *   reports/<id>.hfz   each sealed report, byte for byte as queued
 *
 * Kiosk side:
 *   1. outbox_export(q, kiosk_key, dir, &opts, on_archive, ctx, err, n):
 *      bundles pending reports (oldest first, at most opts.max_reports per
 *      archive) and writes each archive atomically into dir, named after the
 *      set of reports it holds: exporting the same reports again finds the
 *      archive already there and writes nothing. The reports then move to
 *      "exported" in the queue (they stay until acknowledged).
 *   2. outbox_ack(q, kiosk_key, archive_path, err, n): after the helpline
 *      confirmed an archive (upload or courier stick), its reports become
 *      "uploaded".
 *
 * Helpline side (never extracts anything to disk):
 *   1. r = outbox_read(data, len, &limits, err, n): parses an archive held in
 *      memory, with limits on entries and sizes; checks the manifest's
 *      signature and every sealed file against the manifest.
 *   2. outbox_reader_manifest_ok(r), outbox_reader_count(r),
 *      outbox_reader_entry(r, i): one entry per report the archive names or
 *      holds, with its status (OUTBOX_ENTRY_OK or why not) and its bytes.
 *   3. outbox_reader_free(r) (accepts NULL).
 */
#ifndef HIFAZAT_OUTBOX_H
#define HIFAZAT_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "queue.h"

#define OUTBOX_SUFFIX ".tar"

struct outbox_export_options {
    size_t max_reports;       /* per archive (config's [queue] max_per_archive); 0: all in one */
    bool include_exported;    /* also re-export reports exported before (a lost courier stick) */
};

/* Called once per archive: its path, how many reports, and whether it was
 * already there (nothing written). */
typedef void (*outbox_archive_fn)(void *ctx, const char *path, size_t reports, bool existed);

/* Returns the number of reports exported (0 when none were pending), or -1. */
long outbox_export(struct queue *q, const struct keys_kiosk *k, const char *dir,
                   const struct outbox_export_options *opts, outbox_archive_fn on_archive,
                   void *ctx, char *err, size_t errlen);
/* Returns the number of reports marked uploaded, or -1. */
long outbox_ack(struct queue *q, const struct keys_kiosk *k, const char *archive_path, char *err,
                size_t errlen);

struct outbox_limits {
    size_t max_entries;       /* 0: 100 000 reports */
    size_t max_entry_size;    /* 0: REPORT_MAX_SEALED */
    size_t max_manifest_size; /* 0: 32 MiB */
};

enum outbox_entry_status {
    OUTBOX_ENTRY_OK = 0,
    OUTBOX_ENTRY_UNVERIFIED,  /* present, but the manifest is missing or invalid */
    OUTBOX_ENTRY_MISSING,     /* named by the manifest, absent from the archive */
    OUTBOX_ENTRY_ALTERED,     /* size or SHA-256 differs from the manifest */
    OUTBOX_ENTRY_UNLISTED,    /* in the archive but not in the signed manifest */
    OUTBOX_ENTRY_DUPLICATE,   /* the same report twice in one archive */
    OUTBOX_ENTRY_TOO_LARGE,   /* over the size limit: not read */
};

struct outbox_entry {
    char id[REPORT_ID_HEX + 1];
    enum outbox_entry_status status;
    const uint8_t *data;      /* NULL when missing or too large */
    size_t len;
    uint8_t sha256[32];       /* of data */
};

struct outbox_reader;
struct outbox_reader *outbox_read(const uint8_t *data, size_t len, const struct outbox_limits *lim,
                                  char *err, size_t errlen);
void outbox_reader_free(struct outbox_reader *r);
/* Whether the manifest is present, signed and well-formed; if not, why. */
bool outbox_reader_manifest_ok(const struct outbox_reader *r);
const char *outbox_reader_manifest_error(const struct outbox_reader *r);
/* The kiosk key that signed the manifest (NULL when not verified). */
const uint8_t *outbox_reader_kiosk_key(const struct outbox_reader *r);
/* Problems with the archive as a whole (truncation, unexpected entries);
 * NULL when none. Entries read before a problem are still there. */
const char *outbox_reader_warning(const struct outbox_reader *r);
size_t outbox_reader_count(const struct outbox_reader *r);
const struct outbox_entry *outbox_reader_entry(const struct outbox_reader *r, size_t i);
const char *outbox_entry_status_message(enum outbox_entry_status s);

#endif
