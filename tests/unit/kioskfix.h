/* A kiosk for tests: a temp folder with a valid configuration (data
 * partition, helpline key, staff PIN, referral numbers) and a media root
 * whose folders are devices (DEVICE_ROOT_DIRS), filled with generated
 * pictures, a short video and a damaged file; and, when asked, fake phones
 * by cable (fakephone.h) holding the same pictures. */
#ifndef HIFAZAT_KIOSKFIX_H
#define HIFAZAT_KIOSKFIX_H

#include "app.h"

#include <stdbool.h>
#include <stdint.h>

#define KFIX_PIN "246813"
#define KFIX_PASSPHRASE "correct horse battery staple"

struct fakephones;
struct devices;

struct kfix {
    char root[1024];
    char config[1100], data[1100], media[1100], keydir[1100], passfile[1100];
    uint8_t helpline_pk[32];
    struct fakephones *phones;   /* kfix_phones() */
    struct devices *devices;     /* handed to the app by kfix_options() when set */
    int timeout_ms;              /* set before kfix_phones(): a phone request unanswered this
                                    long (a folder's listing too) makes it NOT_ANSWERING
                                    (0: the layer's defaults) */
    struct app_paths paths;      /* the app's files (app_paths_default()), for kfix_options() */
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
/* Fake phones on this kiosk: a device layer of its own (the media root's
 * folders as volumes, plus fake phones) that kfix_options() hands to the
 * app. Call before the app is made; kfix_destroy() (after the app's)
 * destroys it. 0 / -1. */
int kfix_phones(struct kfix *f);
/* Plugs in a fake phone (model "Galaxy A14", serial as given, one storage)
 * holding the fixture phone's pictures (as kfix_make_phone() makes them),
 * and rescans. Returns its index for fakephone_*(), or -1; *dir gets its
 * storage's folder on disk (static buffer). */
int kfix_add_phone(struct kfix *f, const char *serial, int photos, int delay_us, const char **dir);
/* A fake phone in a given state (kfix_add_phone's pictures, no delay),
 * then a rescan: how = KFIX_PLUG_* bits. Returns its index, or -1. The same
 * serial is the same phone (the same device id) each time it is plugged. */
enum {
    KFIX_PLUG_CHARGING_ONLY = 1, /* offers no file transfer (Android's default) */
    KFIX_PLUG_IPHONE = 2,        /* an iPhone (PTP) */
    KFIX_PLUG_LOCKED = 4,        /* locked (an iPhone: has not trusted this computer) */
    KFIX_PLUG_OPENING = 8,       /* opening it hangs until fakephone_set() changes its state */
    KFIX_PLUG_BUSY = 16,         /* another program has it */
    KFIX_PLUG_REFUSED = 32,      /* it cannot be opened */
};
int kfix_plug_phone(struct kfix *f, const char *serial, const char *model, unsigned how);
/* Options for an app on this kiosk: windowed w x h, the fixture's config,
 * its media root as folders (or kfix_phones()' device layer), the
 * fixture's paths, no idle timeout, quiet. */
void kfix_options(const struct kfix *f, struct app_options *o, int w, int h);
/* The pictures the fixture phone holds (paths relative to the device). */
extern const char *const kfix_phone_files[];

#endif
