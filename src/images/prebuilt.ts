/**
 * Prebuilt images (`--images REGISTRY/NAMESPACE`): the URI of the image each instance type needs, by the same
 * content-hash tag `aws-bench build --push` gives it, so a batch pulls exactly what was built from these inputs.
 * Instances pull by digest, which the batch program looks up for a tag only in a private ECR registry; images in
 * any other registry are given to the component by digest (`BenchmarkBatch`'s `images`), not through this option.
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
  if (!/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\//.test(registry))
    throw new BenchError(
      "InvalidArgument",
      `--images '${registry}' is not a private ECR registry: instances pull by digest, and only ECR's digests of the content-hash tags can be looked up at launch.`,
      {
        fix: "Push the images to ECR (aws-bench build --registry ACCOUNT.dkr.ecr.REGION.amazonaws.com --push) and pass that registry, or leave --images out to build them.",
      },
    );
  const images: Record<string, string> = {};
  for (const { containerTag } of resolveInstanceTypes(instanceTypes, await loadCatalogue()))
    images[containerTag.tag] = `${registry}:${imageBuildDefinition(containerTag, "distro").imageTag}`;
  return images;
}
