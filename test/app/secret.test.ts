import { describe, expect, it } from "@jest/globals";
import { unsafeSecretReason } from "../../src/app/index.js";

describe("webhook secret in production", () => {
  it("refuses a missing, empty or Probot-default secret, and says why", () => {
    expect(unsafeSecretReason({ NODE_ENV: "production" })).toMatch(/WEBHOOK_SECRET is not set.*forged webhooks/);
    expect(unsafeSecretReason({ NODE_ENV: "production", WEBHOOK_SECRET: " " })).toMatch(/not set/);
    expect(unsafeSecretReason({ NODE_ENV: "production", WEBHOOK_SECRET: "development" })).toMatch(/well-known fallback/);
  });

  it("accepts a real secret, and anything outside production", () => {
    expect(unsafeSecretReason({ NODE_ENV: "production", WEBHOOK_SECRET: "b7c1f0e4c2a9" })).toBeUndefined();
    expect(unsafeSecretReason({})).toBeUndefined();
  });
});
