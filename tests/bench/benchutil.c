#include "benchutil.h"

#include <SDL.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_pct(double *v, int n, int p)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    int i = n * p / 100;
    return v[i < n ? i : n - 1];
}

double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(double), cmp_double);
    return v[n / 2];
}

int bench_baseline_window(int w, int h)
{
    if (SDL_Init(SDL_INIT_VIDEO))
        return 1;
    SDL_Window *win = SDL_CreateWindow("baseline", 0, 0, w, h, SDL_WINDOW_SHOWN);
    SDL_Renderer *r = win ? SDL_CreateRenderer(win, -1, SDL_RENDERER_SOFTWARE) : NULL;
    if (!r)
        return 1;
    SDL_SetRenderDrawColor(r, 0xF6, 0xF3, 0xEC, 255);
    SDL_RenderClear(r);
    SDL_RenderPresent(r);
    printf("KIOSK_READY\n");
    fflush(stdout);
    SDL_DestroyRenderer(r);
    SDL_DestroyWindow(win);
    SDL_Quit();
    return 0;
}

double bench_run_to_ready(char *const argv[], long *rss_kb)
{
    int fd[2];
    if (pipe(fd))
        return -1;
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], 1);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    double ready = -1;
    char buf[256];
    size_t have = 0;
    ssize_t n;
    while ((n = read(fd[0], buf + have, sizeof buf - 1 - have)) > 0) {
        have += (size_t)n;
        buf[have] = '\0';
        if (ready < 0 && strstr(buf, "KIOSK_READY"))
            ready = bench_now() - t0;
        if (have > sizeof buf / 2) {
            memmove(buf, buf + have - 16, 16);
            have = 16;
        }
    }
    close(fd[0]);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    if (rss_kb)
        *rss_kb = ru.ru_maxrss;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ready : -1;
}
