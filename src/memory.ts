/**
 * A full garbage collection asked for at a phase boundary of a large job. V8 lets its heap grow with garbage until its
 * own next full collection, sized from what was alive at the last one; `analyze` drops its runs and their
 * observations, and later its summaries' texts, at known points, and collecting there keeps its peak near what is
 * alive instead of near twice that (measured in `npm run bench`). V8 gives `gc` only under --expose-gc, so the flag is
 * set at run time (as jest's leak detector does); where that gives nothing, this does nothing.
 */
import v8 from "node:v8";
import vm from "node:vm";

let collect: (() => void) | null | undefined;

/** Collects garbage now, if V8 lets this process ask; otherwise does nothing. */
export function collectGarbage(): void {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString("--expose-gc");
      const gc = vm.runInNewContext("gc") as unknown;
      collect = typeof gc === "function" ? (gc as () => void) : null;
    } catch {
      collect = null;
    }
  }
  collect?.();
}
