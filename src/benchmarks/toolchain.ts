/**
 * What a build on this host is recorded with: the compiler's version line and the CPU target its native flag
 * resolves to (`-march=native` is znver3 on one host and skylake-avx512 on another; the result must say which), and
 * the best BLAS a program can link. Each asks the compiler itself, bounded in time; a compiler that cannot say
 * leaves the target as the flag.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { HostProbe } from "./host.js";
import { nativeFlag } from "./launch.js";

/** The first line of `compiler --version`, or undefined when it does not run. */
export function compilerVersion(compiler: string): string | undefined {
  try {
    const output = execFileSync(compiler, ["--version"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 30_000,
    });
    return output.split("\n")[0]?.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The CPU target `compiler` builds for with `flag` (default: the host's native flag): `x86_64 -march=native
 * (znver3)`, read from GCC's `-Q --help=target`; just the flag when the compiler does not report it, or when it
 * resolves to the flag's own value (`-march=x86-64`).
 */
export function compilerTarget(
  compiler: string,
  host: Pick<HostProbe, "architecture">,
  flag: string = nativeFlag(host),
): string {
  const [option = flag, value] = flag.split("=");
  let resolved: string | undefined;
  try {
    const output = execFileSync(compiler, [flag, "-Q", "--help=target"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 30_000,
    });
    resolved = new RegExp(`^\\s*${option}=\\s+(\\S+)\\s*$`, "m").exec(output)?.[1];
  } catch {
    resolved = undefined;
  }
  return `${host.architecture} ${flag}${resolved && resolved !== "native" && resolved !== value ? ` (${resolved})` : ""}`;
}

/** BLAS libraries in order of preference for HPL: an optimized one first, the reference BLAS last. */
export const blasPreference: readonly { name: string; libs: string }[] = [
  { name: "OpenBLAS", libs: "-lopenblas" },
  { name: "BLIS", libs: "-lblis" },
  { name: "reference BLAS", libs: "-lblas" },
];

/**
 * The first BLAS of {@link blasPreference} a program built by `compiler` links against (a link test of a call to
 * `dgemm_` in `scratch`), with the test program so the caller can see which library it loads; undefined if none.
 */
export function bestLinkableBlas(
  compiler: string,
  scratch: string,
): { name: string; libs: string; testProgram: string } | undefined {
  mkdirSync(scratch, { recursive: true });
  const source = join(scratch, "blas-link-test.c");
  writeFileSync(
    source,
    "extern void dgemm_(void);\nint main(int argc, char **argv) { if (argc > 99) dgemm_(); return 0; }\n",
  );
  for (const candidate of blasPreference) {
    const program = join(scratch, `blas-link-test-${candidate.libs.slice(2)}`);
    try {
      execFileSync(compiler, [source, "-o", program, candidate.libs], { stdio: "ignore", timeout: 60_000 });
      return { ...candidate, testProgram: program };
    } catch {
      rmSync(program, { force: true });
    }
  }
  return undefined;
}
