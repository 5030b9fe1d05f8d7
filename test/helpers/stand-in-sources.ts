/**
 * Manifest entries for stand-in sources the tests make themselves (the real releases cannot be had here): pinned to
 * the stand-in's own checksum, at an address that never answers, so only a mirror or a cache can supply them.
 */
import type { PinnedSource } from "../../src/schemas/generated/source-manifest.js";

/** HPL 2.3's entry for a stand-in release archive with SHA-256 `sha256`, whose one top folder is stripped unless not. */
export function standInHplPin(sha256: string, options: { topFolder?: boolean } = {}): PinnedSource {
  return {
    version: "2.3",
    fileName: "hpl-2.3.tar.gz",
    url: "https://example.invalid/hpl-2.3.tar.gz",
    archive: "tar.gz",
    ...(options.topFolder === false ? {} : { stripComponents: 1 }),
    sha256,
    files: {},
    licence: "stand-in",
  };
}
