#!/usr/bin/env node
// Builds the distro image of the generic x86-64 tag with podman (`aws-bench build --engine podman`), runs it
// under the run contract (src/images/run-contract.ts, verbatim) — first `selfcheck` (numactl --membind inside),
// then a quick STREAM and HPL run writing to a mounted results directory — and validates the result it wrote.
// Needs podman with runc (ENVIRONMENT.md); makes the Debian 13 base from Debian's mirror with debootstrap when
// no registry is reachable. Run after `npm run bundle`. Used by .ci/run.
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "dist", "src", "cli", "bin.js");
const { runContractArgs } = await import(join(root, "dist", "src", "images", "run-contract.js"));
const base = "docker.io/library/debian:trixie-slim";
const sh = (script) => execFileSync("bash", ["-c", script], { encoding: "utf8" }).trim();

if (spawnSync("podman", ["image", "exists", base]).status !== 0) {
  const mirror =
    sh("grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}'") ||
    "http://deb.debian.org/debian";
  const rootfs = mkdtempSync(join(tmpdir(), "trixie-rootfs-"));
  console.error(`image: making ${base} from ${mirror} with debootstrap`);
  execFileSync("debootstrap", ["--variant=minbase", "trixie", rootfs, mirror], { stdio: "ignore" });
  sh(`tar -C '${rootfs}' -c . | podman import - ${base}`);
}

const built = JSON.parse(
  execFileSync(process.execPath, [bin, "build", "--tags", "x86-64", "--engine", "podman", "--json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }),
);
const image = built.builds[0].image;
console.error(`image: built ${image}`);

// The contract's limits, lowered to what this machine allows: a sandbox may cap locked memory, and podman's
// configured default_ulimits (containers.conf) are the file and process limits it can grant.
const hardMemlock = sh("ulimit -Hl");
const memlock = hardMemlock === "unlimited" ? "-1:-1" : `${Number(hardMemlock) * 1024}:${Number(hardMemlock) * 1024}`;
const conf = existsSync("/etc/containers/containers.conf")
  ? readFileSync("/etc/containers/containers.conf", "utf8")
  : "";
const configured = (name, fallback) => new RegExp(`"${name}=([0-9:]+)"`).exec(conf)?.[1] ?? fallback;
const limits = { memlock, nofile: configured("nofile", "65536:65536"), nproc: configured("nproc", "65536:65536") };

const results = mkdtempSync(join(tmpdir(), "aws-bench-image-results-"));
chmodSync(results, 0o777); // the image runs as uid 1000
const check = execFileSync(
  "podman",
  runContractArgs({ resultsDir: results, image, runnerArgs: ["selfcheck"], limits }),
  { encoding: "utf8" },
);
if (!/numactl --membind=0 ok/.test(check)) throw new Error(`image: selfcheck failed: ${check}`);
console.error(check.trim());
execFileSync(
  "podman",
  runContractArgs({
    resultsDir: results,
    image,
    runnerArgs: ["run", "--benchmarks", "stream,hpl", "--quick", "--no-imds"],
    limits,
  }),
  { stdio: "inherit" },
);
const runs = join(results, "aws-bench-results");
const [runId] = existsSync(runs) ? readdirSync(runs) : [];
if (!runId) throw new Error("image: the run wrote no result");
const resultPath = join(runs, runId, "result.json");
execFileSync(process.execPath, [bin, "validate", resultPath], { stdio: "inherit" });
const result = JSON.parse(readFileSync(resultPath, "utf8"));
// The image's runner is the bundle: the result names it by its SHA-256.
const bundleSha = readFileSync(join(root, "dist", "bundle", "runner", "BUNDLE_SHA256"), "utf8").trim();
if (result.runner.bundleSha256 !== bundleSha)
  throw new Error(`image: result.runner.bundleSha256 is ${result.runner.bundleSha256}, the bundle's is ${bundleSha}`);
console.error(
  `image: ${result.benchmarks.length} benchmark sections, valid: ${result.benchmarks.map((b) => b.validity.valid).join(", ")}`,
);
