/**
 * src/app/config.ts: a config file's text is parsed and validated once; a changed file takes effect
 * at once; `_extends` is followed every time; a broken file is reported every time.
 */
import { describe, expect, it } from "@jest/globals";
import { ConfigCache, detectorFor, readConfigFiles } from "../../src/app/config.js";

const noExtends = async (): Promise<unknown> => {
  throw new Error("no _extends expected");
};

describe("reading the config files", () => {
  it("gives the same frozen config for the same text, and the new one as soon as the text changes", async () => {
    const cache = new ConfigCache();
    const a = await readConfigFiles({ repo: "required_approvals: 2\n", org: null }, noExtends, cache);
    const again = await readConfigFiles({ repo: "required_approvals: 2\n", org: null }, noExtends, cache);
    expect(a.parsed.ok && a.parsed.value.required_approvals).toBe(2);
    expect(again.parsed).toBe(a.parsed);
    expect(Object.isFrozen(a.parsed.ok ? a.parsed.value.detection : undefined)).toBe(true);
    // The detector (and the risk globs) are compiled once per config object.
    if (a.parsed.ok && again.parsed.ok) expect(detectorFor(again.parsed.value)).toBe(detectorFor(a.parsed.value));
    const changed = await readConfigFiles({ repo: "required_approvals: 3\n", org: null }, noExtends, cache);
    expect(changed.parsed.ok && changed.parsed.value.required_approvals).toBe(3);
  });

  it("falls back to the organisation's file, and to the defaults when there is none", async () => {
    const cache = new ConfigCache();
    const org = await readConfigFiles({ repo: null, org: "required_approvals: 4\n" }, noExtends, cache);
    expect(org.parsed.ok && org.parsed.value.required_approvals).toBe(4);
    const none = await readConfigFiles({ repo: null, org: null }, noExtends, cache);
    expect(none.value).toBeNull();
    expect(none.parsed.ok && none.parsed.value.required_approvals).toBe(1);
  });

  it("reads an _extends file through Probot every time (the file it names can change on its own)", async () => {
    const cache = new ConfigCache();
    let reads = 0;
    const load = async () => ({ required_approvals: 2 + reads++ });
    const first = await readConfigFiles({ repo: "_extends: .github\n", org: null }, load, cache);
    const second = await readConfigFiles({ repo: "_extends: .github\n", org: null }, load, cache);
    expect([first.requests, second.requests]).toEqual([1, 1]);
    expect(second.parsed.ok && second.parsed.value.required_approvals).toBe(3);
  });

  it("reports an invalid file every time, with the check name it still asks for", async () => {
    const cache = new ConfigCache();
    for (let i = 0; i < 2; i++) {
      const bad = await readConfigFiles({ repo: "check_name: gate\nrequired_approvals: many\n", org: null }, noExtends, cache);
      expect(bad.parsed.ok).toBe(false);
      expect(bad.checkName).toBe("gate");
    }
    await expect(readConfigFiles({ repo: "a: [unclosed\n", org: null }, noExtends, cache)).rejects.toThrow();
  });

  it("keeps at most its bound of files", async () => {
    const cache = new ConfigCache(2);
    const first = await readConfigFiles({ repo: "required_approvals: 2\n", org: null }, noExtends, cache);
    await readConfigFiles({ repo: "required_approvals: 3\n", org: null }, noExtends, cache);
    await readConfigFiles({ repo: "required_approvals: 4\n", org: null }, noExtends, cache);
    const reread = await readConfigFiles({ repo: "required_approvals: 2\n", org: null }, noExtends, cache);
    expect(reread.parsed).not.toBe(first.parsed);
    expect(reread.parsed).toEqual(first.parsed);
  });
});
