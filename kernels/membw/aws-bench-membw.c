/*
 * aws-bench-membw: the aws-instance-benchmarks project's own memory-bandwidth kernel. Written for this project
 * (Apache-2.0, like the rest of it); it is NOT STREAM and its results are never reported as STREAM's.
 *
 * It measures the four classic vector kernels of sustainable-bandwidth benchmarks on three arrays of doubles:
 *   copy   c = a           (2 words moved per element)
 *   scale  b = q * c       (2 words)
 *   add    c = a + b       (3 words)
 *   triad  a = b + q * c   (3 words)
 * with the rules the project applies to any bandwidth figure: arrays sized by the caller (each at least four
 * times all last-level caches together), every kernel timed NTIMES times and its best time reported (the first
 * pass, which may still fault pages in, is left out), arrays first touched by the threads that use them, and the
 * arrays' final contents checked against values computed from the same sequence of operations on scalars.
 *
 * Usage: aws-bench-membw ELEMENTS NTIMES
 * Threads and their placement come from OpenMP's environment (OMP_NUM_THREADS, OMP_PROC_BIND, OMP_PLACES).
 * The arrays are allocated on the heap at run time: the size is not a compile-time constant (one build serves
 * every size) and static-data limits of the code model (-mcmodel) never apply.
 *
 * Output: the line-oriented format "aws-bench-membw/1" (src/benchmarks/membw/parse.ts reads it):
 *   key: value lines, one "result:" line per kernel, one "validation:" line, then "end: aws-bench-membw".
 *
 * Build with -DAWS_BENCH_MEMBW_INJECT_FAULT to corrupt one element after the timed passes: the validation must
 * then fail (the project's tests prove the check works with it).
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KERNELS 4
#define ALIGNMENT 4096

static const char *const kernel_names[KERNELS] = {"copy", "scale", "add", "triad"};
/* Words of 8 bytes read or written per element by each kernel. */
static const double words_per_element[KERNELS] = {2.0, 2.0, 3.0, 3.0};

static void fail(const char *what) {
  fprintf(stderr, "aws-bench-membw: %s\n", what);
  exit(2);
}

static long parse_count(const char *text, const char *name, long minimum) {
  char *end = NULL;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < minimum) {
    fprintf(stderr, "aws-bench-membw: %s must be an integer >= %ld, got '%s'\n", name, minimum, text);
    exit(2);
  }
  return value;
}

/* The smallest step the timer shows: the least positive difference between successive readings. */
static double timer_resolution(void) {
  double best = 1.0;
  for (int sample = 0; sample < 64; sample++) {
    double start = omp_get_wtime(), next;
    do next = omp_get_wtime();
    while (next <= start);
    if (next - start < best) best = next - start;
  }
  return best;
}

static double *allocate(long elements) {
  void *memory = NULL;
  if (posix_memalign(&memory, ALIGNMENT, (size_t)elements * sizeof(double)) != 0) fail("cannot allocate the arrays");
  return (double *)memory;
}

/* Largest relative difference between the array and the value every element must hold. */
static double worst_relative_error(const double *restrict x, long n, double expected) {
  double worst = 0.0;
#pragma omp parallel for schedule(static) reduction(max : worst)
  for (long j = 0; j < n; j++) {
    double error = fabs(x[j] - expected) / fabs(expected);
    if (!(error <= worst)) worst = isnan(error) ? INFINITY : error;
  }
  return worst;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: aws-bench-membw ELEMENTS NTIMES\n");
    return 2;
  }
  const long n = parse_count(argv[1], "ELEMENTS", 1000);
  const long ntimes = parse_count(argv[2], "NTIMES", 2);
  if (ntimes > 1000) fail("NTIMES must be at most 1000");
  /* With q = 0.5 the values grow by 1.25 per pass (a <- q(2 + q)a), so they stay finite for any allowed NTIMES. */
  const double q = 0.5;
  double *restrict a = allocate(n);
  double *restrict b = allocate(n);
  double *restrict c = allocate(n);

  int threads = 1;
#pragma omp parallel
#pragma omp single
  threads = omp_get_num_threads();

  /* First touch: each thread writes the pages it will stream through (the same static schedule as the kernels),
   * so on NUMA hosts every thread's share lives on its own node. */
#pragma omp parallel for schedule(static)
  for (long j = 0; j < n; j++) {
    a[j] = 1.0;
    b[j] = 2.0;
    c[j] = 0.0;
  }

  /* One untimed triad-sized pass to gauge how many timer steps a kernel lasts. */
  const double resolution = timer_resolution();
  double gauge = omp_get_wtime();
#pragma omp parallel for schedule(static)
  for (long j = 0; j < n; j++) a[j] = 0.5 * a[j] + 0.5;
  gauge = omp_get_wtime() - gauge;

  double *times = malloc((size_t)(KERNELS * ntimes) * sizeof(double));
  if (!times) fail("cannot allocate the timing table");
  for (long k = 0; k < ntimes; k++) {
    double t;
    t = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long j = 0; j < n; j++) c[j] = a[j];
    times[0 * ntimes + k] = omp_get_wtime() - t;

    t = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long j = 0; j < n; j++) b[j] = q * c[j];
    times[1 * ntimes + k] = omp_get_wtime() - t;

    t = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long j = 0; j < n; j++) c[j] = a[j] + b[j];
    times[2 * ntimes + k] = omp_get_wtime() - t;

    t = omp_get_wtime();
#pragma omp parallel for schedule(static)
    for (long j = 0; j < n; j++) a[j] = b[j] + q * c[j];
    times[3 * ntimes + k] = omp_get_wtime() - t;
  }

#ifdef AWS_BENCH_MEMBW_INJECT_FAULT
  b[n / 2] += 1.0;
#endif

  /* The same operations on one scalar per array give what every element must hold. */
  double ea = 1.0, eb = 2.0, ec = 0.0;
  ea = 0.5 * ea + 0.5;
  for (long k = 0; k < ntimes; k++) {
    ec = ea;
    eb = q * ec;
    ec = ea + eb;
    ea = eb + q * ec;
  }
  const double errors[3] = {worst_relative_error(a, n, ea), worst_relative_error(b, n, eb),
                            worst_relative_error(c, n, ec)};
  /* Each element's operations are the scalar's operations in the same order, so any honest machine agrees to
   * the last bit; the tolerance only allows for a compiler contracting multiply-add differently. */
  const double tolerance = 1e-13;

  printf("format: aws-bench-membw/1\n");
  printf("program: aws-bench-membw (the aws-instance-benchmarks project's own kernel; not STREAM)\n");
  printf("element-bytes: %zu\n", sizeof(double));
  printf("elements-per-array: %ld\n", n);
  printf("bytes-per-array: %.0f\n", (double)n * sizeof(double));
  printf("ntimes: %ld\n", ntimes);
  printf("threads: %d\n", threads);
  printf("timer-resolution-seconds: %.3e\n", resolution);
  printf("ticks-per-kernel: %.0f\n", gauge / resolution);
  for (int kernel = 0; kernel < KERNELS; kernel++) {
    double best = FLT_MAX, worst = 0.0, sum = 0.0;
    for (long k = 1; k < ntimes; k++) { /* the first pass is left out */
      double t = times[kernel * ntimes + k];
      if (t < best) best = t;
      if (t > worst) worst = t;
      sum += t;
    }
    const double bytes = words_per_element[kernel] * sizeof(double) * (double)n;
    printf("result: %s rate-MB/s=%.1f min-s=%.6f avg-s=%.6f max-s=%.6f\n", kernel_names[kernel],
           bytes / best / 1e6, best, sum / (double)(ntimes - 1), worst);
  }
  const char *names[3] = {"a", "b", "c"};
  int failed = 0;
  for (int array = 0; array < 3; array++)
    if (!(errors[array] <= tolerance)) {
      printf("validation: failed array=%s max-relative-error=%.3e tolerance=%.1e\n", names[array], errors[array],
             tolerance);
      failed = 1;
    }
  if (!failed)
    printf("validation: passed max-relative-error=%.3e tolerance=%.1e\n",
           fmax(errors[0], fmax(errors[1], errors[2])), tolerance);
  printf("end: aws-bench-membw\n");
  free(times);
  free(a);
  free(b);
  free(c);
  return failed ? 1 : 0;
}
