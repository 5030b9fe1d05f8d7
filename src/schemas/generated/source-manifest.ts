/* DO NOT EDIT: generated from schemas/source-manifest.schema.json by `npm run generate:types`. */

/**
 * configs/sources.json: where the runner may download benchmark sources, each pinned by the SHA-256 of its extracted files (release archives are not always byte-stable). A source with no pinned files is never downloaded. Version 1.
 */
export interface SourceManifest {
  schemaVersion: 1;
  sources: {
    [k: string]: PinnedSource;
  };
}
export interface PinnedSource {
  version: string;
  url: string;
  archive: "file" | "tar.gz" | "tar.bz2" | "tar.xz";
  /**
   * Informational: the archive's checksum where a trusted party publishes one.
   */
  archiveSha256?: string;
  /**
   * Leading path components to drop when extracting.
   */
  stripComponents?: number;
  /**
   * Path inside the extracted tree → SHA-256. Every listed file must match; an empty object means not pinned.
   */
  files: {
    [k: string]: string;
  };
  licence: string;
  note?: string;
}
