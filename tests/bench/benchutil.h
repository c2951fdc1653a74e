/* What every benchmark needs: a monotonic clock, medians and percentiles,
 * and for the app benchmarks the bare SDL baseline program and a timed run
 * of a child until it prints KIOSK_READY. */
#ifndef HIFAZAT_BENCHUTIL_H
#define HIFAZAT_BENCHUTIL_H

/* Seconds on the monotonic clock. */
double bench_now(void);
/* Sorts v (n values) and returns its median / its p-th percentile. */
double bench_median(double *v, int n);
double bench_pct(double *v, int n, int p);
/* The baseline program: SDL, one w x h window, the software renderer, one
 * cleared frame, then the same KIOSK_READY line the kiosk prints. Returns
 * the process exit status (0 ok). */
int bench_baseline_window(int w, int h);
/* Runs argv with stdout piped and stderr to /dev/null; returns the seconds
 * until it printed KIOSK_READY, or -1 if it never did or did not exit 0.
 * *rss_kb (may be NULL) gets the child's peak RSS. */
double bench_run_to_ready(char *const argv[], long *rss_kb);

#endif
