/**
 * Prebuilt images (`--images REGISTRY/NAMESPACE`): the URI of the image each instance type needs, by the same
 * content-hash tag `aws-bench build --push` gives it, so a batch pulls exactly what was built from these inputs.
 */
import { BenchError } from "../errors.js";
import { loadCatalogue, resolveInstanceTypes } from "../discovery/catalogue.js";
import { imageBuildDefinition } from "./build-definition.js";

/** Container tag → image URI for the types of a batch; throws `InvalidArgument` on a malformed registry. */
export async function prebuiltImageUris(
  registry: string,
  instanceTypes: readonly string[],
): Promise<Record<string, string>> {
  if (!/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/.test(registry))
    throw new BenchError("InvalidArgument", `--images '${registry}' is not REGISTRY/NAMESPACE.`, {
      fix: "e.g. --images 123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench",
    });
  const images: Record<string, string> = {};
  for (const { containerTag } of resolveInstanceTypes(instanceTypes, await loadCatalogue()))
    images[containerTag.tag] = `${registry}:${imageBuildDefinition(containerTag, "distro").imageTag}`;
  return images;
}
