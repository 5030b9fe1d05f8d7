/** HPCC's input file, hpccinf.txt: HPL.dat's lines (HPCC sizes its other tests from HPL's N) plus PTRANS's. */
import { hplDat } from "../hpl/launch.js";
import type { HplSizing } from "../hpl/sizing.js";

/** hpccinf.txt: HPL.dat's lines plus HPCC's PTRANS lines (PTRANS sized by HPCC from N). */
export function hpccInput(sizing: Pick<HplSizing, "n" | "nb" | "p" | "q">): string {
  const hpl = hplDat(sizing).replace("6            device out", "8            device out");
  return `${hpl}##### This line (no. 32) is ignored (it serves as a separator). ######
0                      		Number of additional problem sizes for PTRANS
1200 10000 30000        	values of N
0                       	number of additional blocking sizes for PTRANS
40 9 8 13 13 20 16 32 64       	values of NB
`;
}
