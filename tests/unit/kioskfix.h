/* A kiosk for tests: a temp folder with a valid configuration (data
 * partition, helpline key, staff PIN, referral numbers) and a media root
 * whose folders are devices (MEDIA_ROOT_DIRS), filled with generated
 * pictures, a short video and a damaged file. */
#ifndef HIFAZAT_KIOSKFIX_H
#define HIFAZAT_KIOSKFIX_H

#include "app.h"

#include <stdbool.h>
#include <stdint.h>

#define KFIX_PIN "2468"
#define KFIX_PASSPHRASE "correct horse battery staple"

struct kfix {
    char root[1024];
    char config[1100], data[1100], media[1100], keydir[1100], passfile[1100];
    uint8_t helpline_pk[32];
};

enum {
    KFIX_HELPLINE_SECRET = 1, /* a real helpline key pair with a passphrase (for `hifazat open`) */
    KFIX_NO_CONFIG = 2,       /* no configuration file at all */
};

/* 0 / -1. */
int kfix_create(struct kfix *f, const char *tag, unsigned flags);
void kfix_destroy(struct kfix *f);
/* A device folder under the media root: the fixture phone (8 calm scenes,
 * a plain wall, a damaged JPEG, a video in DCIM/Camera; two PNGs in
 * Pictures). photos > 0 instead makes that many larger photos in
 * DCIM/Camera only (slow enough to pull the device out while hashing).
 * Returns the device's path (static buffer). */
const char *kfix_make_phone(struct kfix *f, const char *name, int photos);
/* Options for an app on this kiosk: windowed w x h, the fixture's config,
 * its media root as folders, no idle timeout, quiet. */
void kfix_options(const struct kfix *f, struct app_options *o, int w, int h);
/* The pictures the fixture phone holds (paths relative to the device). */
extern const char *const kfix_phone_files[];

#endif
