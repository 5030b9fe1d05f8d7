/* DO NOT EDIT: generated from schemas/container-tags.schema.json by `npm run generate:types`. */

/**
 * The benchmark images to build, one per container tag: configs/container-tags.json, rewritten only by `aws-bench discover --update-containers` so that image changes are deliberate. Version 1.
 */
export interface ContainerTagList {
  schemaVersion: 1;
  tags: ContainerTag[];
}
export interface ContainerTag {
  tag: string;
  architecture: "x86_64" | "arm64";
  platform: "linux/amd64" | "linux/arm64";
  /**
   * Target flag of the oldest microarchitecture using the tag, so the image runs on all of them.
   */
  gccFlags: string;
  spackTarget: string;
  blas: string[];
  /**
   * @minItems 1
   */
  microarchitectures: string[];
}
