/* DO NOT EDIT: generated from schemas/source-manifest.schema.json by `npm run generate:types`. */

/**
 * configs/sources.json: the benchmarks' upstream sources the runner may download (or find in a --source-mirror), each pinned by SHA-256. A download is used only when its checksum matches: the download's own SHA-256, or, for an archive whose bytes are not guaranteed stable (GitHub's generated tag archives), every listed extracted file. Version 2.
 */
export interface SourceManifest {
  schemaVersion: 2;
  /**
   * Keyed by benchmark name (src/benchmarks/registry.ts).
   */
  sources: {
    [k: string]: PinnedSource;
  };
}
/**
 * A source with neither `sha256` nor listed `files` is not pinned and is never downloaded.
 */
export interface PinnedSource {
  version: string;
  /**
   * The upstream file name: what a --source-mirror folder or URL holds, and the name the download is cached under.
   */
  fileName: string;
  /**
   * The publisher's URL.
   */
  url: string;
  /**
   * Other public places holding the same bytes, tried in order after the publisher's URL.
   */
  mirrors?: string[];
  archive: "file" | "tar.gz" | "tar.bz2" | "tar.xz";
  /**
   * SHA-256 of the download. Without `files` it must match; with `files` a match is a fast path, and otherwise the extracted files decide.
   */
  sha256?: string;
  /**
   * The download's size, when fixed: a shorter download is reported as truncated, a longer one is cut off.
   */
  bytes?: number;
  /**
   * Leading path components to drop when extracting.
   */
  stripComponents?: number;
  /**
   * Path inside the extracted tree (after stripComponents) → SHA-256. When not empty, every listed file must match unless the download's sha256 does, and only the listed files are built.
   */
  files: {
    [k: string]: string;
  };
  licence: string;
  note?: string;
}
