/**
 * The stack tests' view of the one mock table (stacks/program-under-mocks.ts): a test account whose zone names and
 * IDs differ and come in another order (as in real accounts), where m7i.large is offered in two zones and
 * c7g.large in one; every declared resource is pushed to `resources`. Install it before importing the program.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  declarationsSettled,
  installAccountMocks,
  type DeclaredResource,
  type MockAccount,
} from "../../stacks/program-under-mocks.js";

/** The account the stack tests deploy into. */
export const testAccount: MockAccount = {
  region: "us-east-1",
  accountId: "123456789012",
  zones: [
    { name: "us-east-1a", id: "use1-az4" },
    { name: "us-east-1b", id: "use1-az6" },
    { name: "us-east-1c", id: "use1-az1" },
  ],
  offerings: { "m7i.large": ["use1-az1", "use1-az4"], "c7g.large": ["use1-az6"] },
  ami: (parameter) => (parameter.endsWith("arm64") ? "ami-0arm64mock" : "ami-0x8664mock"),
  idSuffix: "id",
};

/** Everything declared since the mocks were installed. */
export const resources: DeclaredResource[] = [];

/** Installs the mocks for {@link testAccount}. */
export async function installPulumiMocks(): Promise<void> {
  await installAccountMocks(testAccount, (resource) => resources.push(resource), "batch-test");
}

/** The value inside an Output, for assertions. */
export function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Waits until every declaration the program started has reached the mocks. */
export const settle = declarationsSettled;
