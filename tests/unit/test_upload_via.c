/* "Upload now" backends (upload_via.h): the unit backend against a fake
 * upload service that does what image-build's upload-run does (takes the
 * request file, answers in status.json, renamed into place); the boot test
 * runs the real service. */
#include "check.h"
#include "testutil.h"
#include "upload_via.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[1100], req[1200], status[1200];

struct fake {
    const char *answer; /* status.json after "running", with %s for the request id; NULL: never answers */
    double wait_s;      /* how long it looks for a request */
    char id[64];
    bool took;
};

static void put_status(const char *text)
{
    char tmp[1300];
    snprintf(tmp, sizeof tmp, "%s/status.tmp", dir);
    REQUIRE(write_whole(tmp, text, strlen(text)) == 0, "write %s", tmp);
    REQUIRE(rename(tmp, status) == 0, "rename");
}

static void *service(void *arg)
{
    struct fake *f = arg;
    double end = now_s() + f->wait_s;
    size_t len = 0;
    uint8_t *b = NULL;
    while (now_s() < end && !(b = read_whole(req, &len)))
        usleep(20000);
    if (!b)
        return NULL;
    snprintf(f->id, sizeof f->id, "%.*s", (int)strcspn((char *)b, "\n"), (char *)b);
    free(b);
    if (!f->answer)
        return NULL;   /* a service that never runs: the request stays */
    unlink(req);
    f->took = true;
    char text[1000];
    snprintf(text, sizeof text, "{\"state\":\"running\",\"request\":\"%s\"}\n", f->id);
    put_status(text);
    usleep(150000);
    snprintf(text, sizeof text, f->answer, f->id);
    put_status(text);
    return NULL;
}

static int run_with(struct fake *f, double timeout, struct upload_via_result *res)
{
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, service, f) == 0, "thread");
    struct upload_via_request rq = {.request_dir = dir, .timeout_seconds = timeout, .poll_seconds = 0.02};
    int rc = upload_via_find("unit")->run(&rq, res);
    pthread_join(t, NULL);
    return rc;
}

int main(void)
{
    /* 1. the backends by name */
    CHECK(upload_via_find(NULL) && !strcmp(upload_via_find(NULL)->name, "process"), "default: in this process");
    CHECK(upload_via_find("process") && upload_via_find("unit") &&
              !strcmp(upload_via_find("unit")->name, "unit"),
          "both by name");
    CHECK(!upload_via_find("curl") && !upload_via_find(""), "unknown names refused");

    const char *top = make_tmpdir("upload_via");
    snprintf(dir, sizeof dir, "%s/upload", top);   /* made by the backend */
    snprintf(req, sizeof req, "%s/request", dir);
    snprintf(status, sizeof status, "%s/status.json", dir);

    /* 2. delivered: the counts come back from the service */
    struct upload_via_result res;
    struct fake ok = {.answer = "{\"state\":\"done\",\"request\":\"%s\",\"exit\":0,\"archives\":2,\"sent\":1,"
                                "\"already_there\":1,\"left\":0,\"reports_uploaded\":3}\n",
                      .wait_s = 5};
    int rc = run_with(&ok, 10, &res);
    CHECK(rc == 0 && ok.took, "delivered: rc %d (%s)", rc, res.message);
    CHECK(res.sent == 1 && res.there == 1 && res.left == 0 && res.reports == 3,
          "counts: sent %d there %d left %d reports %ld", res.sent, res.there, res.left, res.reports);
    CHECK(strlen(ok.id) == 16 && strspn(ok.id, "0123456789abcdef") == 16, "a random request id: '%s'", ok.id);
    struct stat sb;
    CHECK(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700, "the request directory is the kiosk's own");
    CHECK(stat(req, &sb) != 0, "the service took the request");
    char tmp[1300];
    snprintf(tmp, sizeof tmp, "%s/.request.tmp", dir);
    CHECK(stat(tmp, &sb) != 0, "no half-written request left behind");

    /* 3. not delivered: the reason reaches staff, and the call fails */
    char first[64];
    snprintf(first, sizeof first, "%s", ok.id);
    struct fake bad = {.answer = "{\"state\":\"done\",\"request\":\"%s\",\"exit\":1,\"archives\":2,\"sent\":0,"
                                 "\"already_there\":0,\"left\":2,\"reports_uploaded\":0,"
                                 "\"reason\":\"x.tar: TLS: the server's certificate is not trusted\"}\n",
                       .wait_s = 5};
    rc = run_with(&bad, 10, &res);
    CHECK(rc == -1 && res.left == 2 && strstr(res.message, "not trusted"), "refused: rc %d left %d '%s'", rc,
          res.left, res.message);
    CHECK(strcmp(first, bad.id) != 0, "every request has its own id");

    /* 4. a service that crashed before its summary: failed, with a pointer to the journal */
    struct fake crash = {.answer = "{\"state\":\"done\",\"request\":\"%s\",\"exit\":2}\n", .wait_s = 5};
    rc = run_with(&crash, 10, &res);
    CHECK(rc == -1 && strstr(res.message, "journal"), "exit 2 without a summary: rc %d '%s'", rc, res.message);

    /* 5. the last request's answer is still there and the service does not
     * come: the old answer is not taken for the new one; the call gives up
     * after its timeout and leaves the request for the service */
    struct fake none = {.answer = NULL, .wait_s = 5};
    double t0 = now_s();
    rc = run_with(&none, 0.6, &res);
    double took = now_s() - t0;
    CHECK(rc == -1 && strstr(res.message, "did not answer"), "no answer: rc %d '%s'", rc, res.message);
    CHECK(took >= 0.5 && took < 5, "gave up after its timeout (%.2f s)", took);
    CHECK(stat(req, &sb) == 0, "the request stays for the service");

    /* 6. a status file that is not JSON (or not ours) is waited through */
    unlink(req);
    put_status("{\"state\":\"do");
    struct fake late = {.answer = "{\"state\":\"done\",\"request\":\"%s\",\"exit\":0,\"left\":0,"
                                  "\"reports_uploaded\":1}\n",
                        .wait_s = 5};
    rc = run_with(&late, 10, &res);
    CHECK(rc == 0 && res.reports == 1, "after a broken status file: rc %d reports %ld", rc, res.reports);

    /* 7. the request directory cannot be made: a clear failure at once */
    struct upload_via_request nodir = {.request_dir = "/proc/hifazat-no/upload", .timeout_seconds = 5};
    CHECK(upload_via_find("unit")->run(&nodir, &res) == -1 && strstr(res.message, "cannot create"),
          "no directory: '%s'", res.message);
    /* 8. in this process without a queue: refused, nothing sent */
    struct upload_via_request noq = {0};
    CHECK(upload_via_find("process")->run(&noq, &res) == -1 && res.sent == 0, "process without a queue");

    rm_rf(top);
    return check_exit();
}
