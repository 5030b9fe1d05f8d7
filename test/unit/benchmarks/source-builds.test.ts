/**
 * The pure parts of building from verified sources: HPL's configure line and build-cache key, CoreMark's make
 * line, and the pinned manifest the package ships (every pin well-formed, CoreMark's per-file list complete).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { coremarkMakeArgs, coremarkXcflags } from "../../../src/benchmarks/coremark/launch.js";
import {
  hplBuildKey,
  hplCompilerFlags,
  hplConfigureArgs,
  type HplBuildInputs,
} from "../../../src/benchmarks/hpl/build.js";
import { compilerTarget } from "../../../src/benchmarks/toolchain.js";
import type { SourceManifest } from "../../../src/schemas/generated/source-manifest.js";
import { hasSharedFixtures, sharedDir } from "../../helpers/prerequisites.js";

const coremarkSums = join(sharedDir, "third-party", "coremark-1.01.SHA256SUMS");
const hasCoremarkSums = hasSharedFixtures("configs/sources.json against CoreMark's published per-file sums", [
  coremarkSums,
]);
const manifest = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "..", "..", "configs", "sources.json"), "utf8"),
) as SourceManifest;

describe("HPL's build", () => {
  const inputs: HplBuildInputs = {
    sourceSha256: "a".repeat(64),
    compiler: "gcc (Debian 12.2.0-14) 12.2.0",
    blasLibs: "-lopenblas",
    blasLoaded: "OpenBLAS (/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3)",
    target: "x86_64 -march=native (znver3)",
    flags: "-O3 -march=native",
  };

  it("configures with mpicc, the chosen BLAS and the host's flags", () => {
    expect(hplConfigureArgs("mpicc", "-lopenblas", hplCompilerFlags({ architecture: "x86_64" }))).toEqual([
      "CC=mpicc",
      "LIBS=-lopenblas",
      "CFLAGS=-O3 -march=native",
    ]);
    expect(hplCompilerFlags({ architecture: "arm64" })).toBe("-O3 -mcpu=native");
  });

  it("keys the build cache by everything that decides the binary, and nothing else", () => {
    const key = hplBuildKey(inputs);
    expect(key).toMatch(/^hpl-[0-9a-f]{16}$/);
    expect(hplBuildKey({ ...inputs })).toBe(key);
    for (const field of Object.keys(inputs) as (keyof HplBuildInputs)[])
      expect(hplBuildKey({ ...inputs, [field]: `${inputs[field]}x` }), field).not.toBe(key);
  });
});

describe("CoreMark's build", () => {
  it("passes the expert's XCFLAGS with one context per vCPU through CoreMark's own Makefile", () => {
    expect(coremarkMakeArgs({ architecture: "x86_64" }, 8, "linux64")).toEqual([
      "PORT_DIR=linux64",
      "XCFLAGS=-O3 -march=native -DMULTITHREAD=8 -DUSE_PTHREAD -pthread -DPERFORMANCE_RUN=1",
      "coremark.exe",
    ]);
    expect(coremarkXcflags({ architecture: "arm64" }, 1)).toBe("-O3 -mcpu=native -DPERFORMANCE_RUN=1");
  });

  it("names the CPU target the native flag resolves to, or the flag alone when the compiler cannot say", () => {
    expect(compilerTarget("/nonexistent/cc", { architecture: "arm64" })).toBe("arm64 -mcpu=native");
  });
});

describe("configs/sources.json", () => {
  it("pins STREAM and HPL by SHA-256 and size, CoreMark by archive and per file, from the publishers' URLs", () => {
    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.sources["stream"]).toMatchObject({
      fileName: "stream.c",
      url: "https://www.cs.virginia.edu/stream/FTP/Code/stream.c",
      mirrors: ["https://raw.githubusercontent.com/jeffhammond/STREAM/d994be3/stream.c"],
      sha256: "a52bae5e175bea3f7832112af9c085adab47117f7d2ce219165379849231692b",
      bytes: 19967,
    });
    expect(manifest.sources["hpl"]).toMatchObject({
      fileName: "hpl-2.3.tar.gz",
      sha256: "32c5c17d22330e6f2337b681aded51637fb6008d3f0eb7c277b163fadd612830",
      bytes: 660871,
      stripComponents: 1,
    });
    const coremark = manifest.sources["coremark"];
    expect(coremark).toMatchObject({
      url: "https://github.com/eembc/coremark/archive/refs/tags/v1.01.tar.gz",
      sha256: "99c5a6d63af85a281b4e4d6ccb522c446653c435dfec9455ad73ef9e71f28bde",
      stripComponents: 1,
    });
    // What the build needs is among the verified files.
    for (const file of ["Makefile", "core_main.c", "coremark.h", "linux64/core_portme.c", "linux64/core_portme.mak"])
      expect(coremark?.files[file], file).toMatch(/^[0-9a-f]{64}$/);
  });

  it.skipIf(!hasCoremarkSums)("lists exactly the files of the published per-file checksums", () => {
    const published = Object.fromEntries(
      readFileSync(coremarkSums, "utf8")
        .trim()
        .split("\n")
        .map((line) => line.split(/\s+/))
        .map(([sum, path]) => [(path ?? "").replace(/^\.\//, ""), sum]),
    );
    expect(manifest.sources["coremark"]?.files).toEqual(published);
  });
});
