/**
 * The long-lived image cache under the shared mock table: its tags are immutable (a content-hash tag always names
 * the bytes first pushed under it), so a batch never pushes a tag that is already there — a second batch with the
 * same inputs declares no image at all and pulls the cached one by the digest its tag names — and every instance
 * pulls by digest.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { imageBuildDefinition } from "../../../src/images/build-definition.js";
import type { ContainerTag } from "../../../src/schemas/generated/container-tags.js";
import { encodeBatchSpec } from "../../../stacks/batch-spec.js";
import { runBatchProgramUnderMocks, type DeclaredResource } from "../../../stacks/program-under-mocks.js";
import { installPulumiMocks, resources, settle, testAccount } from "../../helpers/pulumi-mocks.js";

const root = join(import.meta.dirname, "..", "..", "..");
const cacheUrl = "123456789012.dkr.ecr.us-east-1.amazonaws.com/aws-bench-cache";
const config = encodeBatchSpec("us-east-1", {
  instanceTypes: ["m7i.large"],
  resultsBucket: "team-results",
  batchId: "20261128t120000z-ab12cd",
  imageCache: {
    repository: "aws-bench-cache",
    url: cacheUrl,
    arn: "arn:aws:ecr:us-east-1:123456789012:repository/aws-bench-cache",
  },
});

beforeAll(() => {
  execFileSync(process.execPath, [join(root, "scripts", "bundle-runner.mjs")], { stdio: "ignore" });
}, 60_000);

/** The image reference an instance's user-data pulls. */
function pulled(resource: DeclaredResource | undefined): string | undefined {
  return /^readonly IMAGE=(.*)$/m.exec(String(resource?.inputs["userData"]))?.[1];
}

describe("the image cache", () => {
  it("has immutable tags, and is protected", async () => {
    await installPulumiMocks();
    resources.length = 0;
    const { bootstrapResources } = await import("../../../stacks/bootstrap.js");
    bootstrapResources({ tags: {} });
    await settle();
    const cache = resources.find((r) => r.type === "aws:ecr/repository:Repository");
    expect(cache?.inputs).toMatchObject({ name: "aws-bench-cache", imageTagMutability: "IMMUTABLE" });
  });

  it("a first batch builds and pushes the missing tag; a second with the same inputs pushes nothing and pulls it by digest", async () => {
    const tags = (
      JSON.parse(readFileSync(join(root, "configs", "container-tags.json"), "utf8")) as { tags: ContainerTag[] }
    ).tags;
    // m7i.large's container tag, as the catalogue maps it.
    const first = await runBatchProgramUnderMocks(config, { ...testAccount, cachedImageTags: [] });
    const images = first.resources.filter((r) => r.type === "docker:index/image:Image");
    expect(images).toHaveLength(1);
    const imageName = String(images[0]?.inputs["imageName"]);
    const imageTag = imageName.slice(imageName.lastIndexOf(":") + 1);
    const tag = tags.find((t) => imageTag.startsWith(`${t.tag}-distro-`)) as ContainerTag;
    expect(imageName).toBe(`${cacheUrl}:${imageBuildDefinition(tag, "distro").imageTag}`);
    const launched = first.resources.find((r) => r.type === "aws:ec2/instance:Instance");
    expect(pulled(launched)).toBe(`${cacheUrl}@sha256:${"a".repeat(64)}`);

    // The tag is in the cache now (the mock answers it with digest bbbb…): nothing to push, ECR has nothing to refuse.
    const second = await runBatchProgramUnderMocks(config, { ...testAccount, cachedImageTags: [imageTag] });
    expect(second.resources.filter((r) => r.type === "docker:index/image:Image")).toEqual([]);
    expect(second.resources.filter((r) => r.type === "aws:ecr/repository:Repository")).toEqual([]);
    const again = second.resources.find((r) => r.type === "aws:ec2/instance:Instance");
    expect(pulled(again)).toBe(`${cacheUrl}@sha256:${"b".repeat(64)}`);
    expect(String(again?.inputs["userData"])).not.toContain(imageTag);
  });
});
