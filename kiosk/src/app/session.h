/* The person's session: their answers, the device they chose, the files
 * they picked and the fingerprints made of them, and the receipt. Nothing
 * else in the app holds these. Every byte of it lives in session memory
 * (session_alloc), which session_wipe() zeroes with sodium_memzero before
 * freeing, on finish, quick exit and idle timeout.
 *
 * Usage:
 *  1. session_begin(s, demo) when the person presses Start.
 *  2. session_set_volume(), then session_select()/session_unselect() while
 *     they choose (fast: a hash index by path, thousands of files);
 *     session_find() tells the grid what is chosen.
 *  3. The fingerprint job fills items' results (session_item_set_result()).
 *  4. session_wipe(s) ends it; the struct is all zero afterwards. */
#ifndef HIFAZAT_SESSION_H
#define HIFAZAT_SESSION_H

#include "hash.h"
#include "report.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum session_age { AGE_UNSET = -1, AGE_UNDER18 = 0, AGE_ADULT = 1, AGE_NOT_SURE = 2 };
enum session_who { WHO_UNSET = -1, WHO_SELF = 0, WHO_PARENT = 1, WHO_HELPER = 2 };
enum session_content { CONTENT_UNSET = -1, CONTENT_YES = 0, CONTENT_NO = 1 };
/* Adult route, someone helping: is the person in the pictures here, and do
 * they agree? (StopNCII takes only the person's own report.) */
enum session_consent { CONSENT_UNSET = -1, CONSENT_YES = 0, CONSENT_NO = 1 };
/* Young people's route: taken on this phone, or copies? (Take It Down asks
 * for the originals.) */
enum session_origin { ORIGIN_UNSET = -1, ORIGIN_ORIGINAL = 0, ORIGIN_COPY = 1, ORIGIN_NOT_SURE = 2 };

/* Could anyone near hear the narration of sensitive screens? The person's
 * answer (dialog_hearing.c), asked once a session before such a screen is
 * said aloud; wiped with the session. */
enum session_hearing { HEARING_UNASKED = 0, HEARING_ALONE = 1, HEARING_OTHERS = 2 };

enum item_state { ITEM_PENDING, ITEM_DONE, ITEM_FAILED };

/* Why a file could not be fingerprinted, in words a person understands. */
enum item_problem {
    PROBLEM_NONE,
    PROBLEM_CORRUPT,      /* damaged or incomplete */
    PROBLEM_UNREADABLE,   /* read error, permission */
    PROBLEM_REMOVED,      /* the device was taken out */
    PROBLEM_NOT_MEDIA,    /* not a photo or video after all */
    PROBLEM_UNSUPPORTED,  /* a kind we cannot open */
    PROBLEM_TOO_LARGE,
    PROBLEM_EMPTY,        /* 0 bytes */
    PROBLEM_CHANGED,      /* changed while it was read */
    PROBLEM_NOMEM,
    PROBLEM_NOT_ANSWERING, /* the phone stopped answering (it is still plugged in) */
    PROBLEM_COUNT
};

/* The most a report may carry (REPORT_MAX_ITEMS). */
#define SESSION_MAX_ITEMS 1000

struct session_item {
    char *path;              /* absolute, what hash_file() opens (session memory) */
    char *name;              /* for display (session memory) */
    uint8_t kind;            /* enum media_kind: photo or video */
    uint8_t state;           /* enum item_state */
    uint8_t problem;         /* enum item_problem when FAILED */
    bool low_quality;        /* PDQ quality under 50 */
    bool mark;               /* scratch flag for batch changes (session_remove_if) */
    uint64_t size;
    struct hash_result *res; /* DONE: the fingerprints (session memory) */
};

struct session {
    bool active;             /* Start was pressed */
    bool demo;               /* demo mode: nothing is ever queued */

    int age, who, content;   /* enum session_age / _who / _content */
    int consent, origin;     /* enum session_consent / _origin (UNSET: not asked) */
    int hearing;             /* enum session_hearing */

    uint64_t volume_id;      /* the device chosen on "Connect" (0: none) */
    uint8_t volume_kind;     /* its enum device_kind (a phone's cable, a card taken out) */
    char *volume_path;       /* session memory */
    char *volume_label;

    struct session_item *items;
    size_t nitems, cap;
    uint32_t *index;         /* open addressing by path: item index + 1, 0 empty */
    size_t index_cap;

    bool have_receipt;
    struct report_receipt receipt;
    /* "I have a case code": the digits typed so far (wiped with the rest). */
    char case_digits[13];    /* the case code's 12 digits, no dashes */
    char case_pin[7];        /* its secret number */
};

/* Session memory: every block is zeroed (sodium_memzero) before it is freed. */
void *session_alloc(size_t n);
char *session_strdup(const char *s);
void session_free(void *p);
/* Test hook: called with each session block, already wiped, just before it
 * is freed (tests check that every byte is zero). NULL by default. */
extern void (*session_free_hook)(const void *p, size_t n);

void session_begin(struct session *s, bool demo);
void session_wipe(struct session *s);

int session_set_volume(struct session *s, uint64_t id, const char *path, const char *label);

/* The item for a path, or NULL. */
struct session_item *session_find(const struct session *s, const char *path);
/* Adds a file (no-op if already there). 0, 1 when the limit is reached, -1 no memory. */
int session_select(struct session *s, const char *path, const char *name, int kind, uint64_t size);
void session_unselect(struct session *s, const char *path);
/* Removes the items marked by mark(item) in one pass (keeps the order). */
void session_remove_if(struct session *s, bool (*mark)(const struct session_item *it, void *ctx),
                       void *ctx);
void session_clear_items(struct session *s);

/* Stores a fingerprint result (copied into session memory) or a problem. */
int session_item_set_result(struct session_item *it, const struct hash_result *res,
                            enum item_problem problem);
/* Forgets an item's result (to fingerprint it again). */
void session_item_reset(struct session_item *it);

struct session_counts {
    size_t items, done, failed, pending, photos, videos, low_quality;
};
void session_counts(const struct session *s, struct session_counts *c);

/* The route of the report from the answers (not sure: under 18). */
enum report_route session_route(const struct session *s);
enum report_reporter session_reporter(const struct session *s);
/* The origin question's answer for the report (NONE when it was not asked). */
enum report_origin session_origin(const struct session *s);
/* The adult route, reported by someone else (a helper, a parent or trusted
 * adult): the person's own agreement is asked. */
bool session_asks_consent(const struct session *s);
/* The young people's route: whether these are the original pictures is asked. */
bool session_asks_origin(const struct session *s);

/* Wipes (the vPDQ frames too) and clears a hash result. */
void session_result_release(struct hash_result *r);

/* Problem for a failed hash (volume_gone: the device is no longer there). */
enum item_problem session_problem_for(enum hash_err e, bool volume_gone);

#endif
