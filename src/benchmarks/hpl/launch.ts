/** HPL's input file, HPL.dat, for one problem size and process grid. */
import type { HplSizing } from "./sizing.js";

/** HPL.dat for one problem size and grid, results on stdout, residual check on. */
export function hplDat(sizing: Pick<HplSizing, "n" | "nb" | "p" | "q">): string {
  return [
    "HPLinpack benchmark input file",
    "aws-instance-benchmarks (generated)",
    "HPL.out      output file name (if any)",
    "6            device out (6=stdout,7=stderr,file)",
    "1            # of problems sizes (N)",
    `${sizing.n}         Ns`,
    "1            # of NBs",
    `${sizing.nb}          NBs`,
    "0            PMAP process mapping (0=Row-,1=Column-major)",
    "1            # of process grids (P x Q)",
    `${sizing.p}            Ps`,
    `${sizing.q}            Qs`,
    "16.0         threshold",
    "1            # of panel fact",
    "2            PFACTs (0=left, 1=Crout, 2=Right)",
    "1            # of recursive stopping criterium",
    "4            NBMINs (>= 1)",
    "1            # of panels in recursion",
    "2            NDIVs",
    "1            # of recursive panel fact.",
    "1            RFACTs (0=left, 1=Crout, 2=Right)",
    "1            # of broadcast",
    "1            BCASTs (0=1rg,1=1rM,2=2rg,3=2rM,4=Lng,5=LnM)",
    "1            # of lookahead depth",
    "1            DEPTHs (>=0)",
    "2            SWAP (0=bin-exch,1=long,2=mix)",
    "64           swapping threshold",
    "0            L1 in (0=transposed,1=no-transposed) form",
    "0            U  in (0=transposed,1=no-transposed) form",
    "1            Equilibration (0=no,1=yes)",
    "8            memory alignment in double (> 0)",
    "",
  ].join("\n");
}
