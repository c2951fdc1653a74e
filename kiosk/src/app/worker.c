/* Worker jobs: slow work (hashing, in the kiosk flow) runs on its own thread and
 * wakes the sleeping main loop with an SDL user event; results are handed
 * over on the main thread, so screens never lock anything. */
#include "app_internal.h"

#include <stdlib.h>

struct app_job {
    struct app *app;
    app_job_run run;
    app_job_done done;
    void *arg;
    SDL_Thread *thread;
    SDL_atomic_t cancelled;
    struct app_job *next;
};

static void push(struct app *a, int code, void *data)
{
    SDL_Event ev;
    SDL_zero(ev);
    ev.type = a->event_type;
    ev.user.code = code;
    ev.user.data1 = data;
    /* SDL_PushEvent is thread-safe; it wakes SDL_WaitEvent* in the loop. */
    SDL_PushEvent(&ev);
}

void app_wake(struct app *a)
{
    if (SDL_AtomicCAS(&a->wake_pending, 0, 1))
        push(a, APP_EV_WAKE, NULL);
}

static int thread_main(void *p)
{
    struct app_job *job = p;
    job->run(job, job->arg);
    push(job->app, APP_EV_JOB_DONE, job);
    return 0;
}

int app_start_job(struct app *a, app_job_run run, app_job_done done, void *arg)
{
    struct app_job *job = calloc(1, sizeof(*job));
    if (!job)
        return -1;
    job->app = a;
    job->run = run;
    job->done = done;
    job->arg = arg;
    job->next = a->jobs.head;
    a->jobs.head = job;
    a->jobs.running++;
    job->thread = SDL_CreateThread(thread_main, "hifazat-job", job);
    if (!job->thread) {
        a->jobs.head = job->next;
        a->jobs.running--;
        free(job);
        return -1;
    }
    return 0;
}

bool app_job_cancelled(const struct app_job *job)
{
    return SDL_AtomicGet((SDL_atomic_t *)&job->cancelled) != 0;
}

void app_job_wake(struct app_job *job) { app_wake(job->app); }

int app_jobs_running(const struct app *a) { return a->jobs.running; }

void jobs_handle_done(struct app *a, void *p)
{
    struct app_job **pp = &a->jobs.head;
    while (*pp && *pp != p)
        pp = &(*pp)->next;
    if (!*pp)
        return;   /* not ours (already collected) */
    struct app_job *job = *pp;
    *pp = job->next;
    a->jobs.running--;
    SDL_WaitThread(job->thread, NULL);
    if (job->done)
        job->done(a, job->arg, app_job_cancelled(job));
    free(job);
    a->dirty = true;
}

void jobs_cancel_all(struct app *a)
{
    for (struct app_job *j = a->jobs.head; j; j = j->next)
        SDL_AtomicSet(&j->cancelled, 1);
}

/* Shutdown: cancel, wait for every thread, run the done callbacks. */
void jobs_wait_all(struct app *a)
{
    jobs_cancel_all(a);
    while (a->jobs.head)
        jobs_handle_done(a, a->jobs.head);
    /* Drop the now stale done events still queued. */
    SDL_FlushEvent(a->event_type);
}
