/**
 * Keeps the developer's own AWS configuration out of a test (profiles, regions, SSO, instance and container
 * credentials); `withCredentials` puts static example keys in the environment so the SDK signs requests for
 * aws-sdk-client-mock. Undo with `vi.unstubAllEnvs()`.
 */
import { vi } from "vitest";

export function isolateAws(withCredentials: boolean): void {
  vi.stubEnv("AWS_CONFIG_FILE", "/nonexistent/aws-config");
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials");
  vi.stubEnv("AWS_PROFILE", "");
  vi.stubEnv("AWS_REGION", "");
  vi.stubEnv("AWS_DEFAULT_REGION", "");
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
  vi.stubEnv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "");
  vi.stubEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "");
  vi.stubEnv("AWS_WEB_IDENTITY_TOKEN_FILE", "");
  vi.stubEnv("AWS_ACCESS_KEY_ID", withCredentials ? "AKIDEXAMPLE" : "");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", withCredentials ? "secret" : "");
  vi.stubEnv("AWS_SESSION_TOKEN", "");
}
