/*
 * The machine's DGEMM rate, the reference HPL is judged against (`npm run compare:hand-tuned`): C = A·B + C for
 * N×N double matrices through the CBLAS interface of the BLAS it is linked with (OpenBLAS), best of REPS calls after
 * one warm-up, in GFLOPS (2·N³ floating-point operations per call). Written for aws-instance-benchmarks.
 *   usage: dgemm-rate N REPS        prints: dgemm n=N reps=REPS best_seconds=S gflops=G
 * The CBLAS prototype and its constants (row-major 101, no transpose 111) are declared here so that no particular
 * header layout is needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void cblas_dgemm(int order, int transa, int transb, int m, int n, int k, double alpha, const double *a, int lda,
                 const double *b, int ldb, double beta, double *c, int ldc);

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: dgemm-rate N REPS\n");
    return 2;
  }
  long n = strtol(argv[1], NULL, 10);
  long reps = strtol(argv[2], NULL, 10);
  if (n < 64 || n > 40000 || reps < 1 || reps > 100) {
    fprintf(stderr, "dgemm-rate: N must be 64..40000 and REPS 1..100\n");
    return 2;
  }
  size_t count = (size_t)n * (size_t)n;
  double *a = malloc(count * sizeof(double)), *b = malloc(count * sizeof(double)), *c = malloc(count * sizeof(double));
  if (!a || !b || !c) {
    fprintf(stderr, "dgemm-rate: cannot allocate three %ldx%ld matrices\n", n, n);
    return 1;
  }
  for (size_t i = 0; i < count; i++) {
    a[i] = (double)(i % 97) / 97.0;
    b[i] = (double)(i % 89) / 89.0;
    c[i] = 0.0;
  }
  cblas_dgemm(101, 111, 111, (int)n, (int)n, (int)n, 1.0, a, (int)n, b, (int)n, 1.0, c, (int)n);
  double best = 1e300;
  for (long r = 0; r < reps; r++) {
    double start = now();
    cblas_dgemm(101, 111, 111, (int)n, (int)n, (int)n, 1.0, a, (int)n, b, (int)n, 1.0, c, (int)n);
    double seconds = now() - start;
    if (seconds < best) best = seconds;
  }
  /* Touch the result so the calls cannot be dropped. */
  double check = c[0] + c[count - 1];
  printf("dgemm n=%ld reps=%ld best_seconds=%.6f gflops=%.3f check=%.3g\n", n, reps, best,
         2.0 * (double)n * (double)n * (double)n / best / 1e9, check);
  free(a);
  free(b);
  free(c);
  return 0;
}
