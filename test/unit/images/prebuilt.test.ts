import { describe, expect, it } from "vitest";
import { imageBuildDefinition } from "../../../src/images/build-definition.js";
import { prebuiltImageUris } from "../../../src/images/prebuilt.js";
import { loadCatalogue, resolveInstanceTypes } from "../../../src/discovery/catalogue.js";

describe("prebuilt images (--images)", () => {
  it("names each type's image in a private ECR registry by its content-hash tag, for the program to pin by digest", async () => {
    const registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/aws-bench";
    const images = await prebuiltImageUris(registry, ["m7i.large"]);
    const [resolved] = resolveInstanceTypes(["m7i.large"], await loadCatalogue());
    const tag = resolved?.containerTag;
    expect(tag).toBeDefined();
    if (!tag) return;
    expect(images).toEqual({ [tag.tag]: `${registry}:${imageBuildDefinition(tag, "distro").imageTag}` });
  });

  it.each([
    ["another registry, whose tags nothing here can pin", "ghcr.io/org/aws-bench"],
    ["ECR Public", "public.ecr.aws/org/aws-bench"],
  ])("refuses %s", async (_case, registry) => {
    await expect(prebuiltImageUris(registry, ["m7i.large"])).rejects.toMatchObject({
      code: "InvalidArgument",
      message: expect.stringMatching(/is not a private ECR registry: instances pull by digest/),
    });
  });
});
