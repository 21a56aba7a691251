import { describe, expect, it } from "@jest/globals";
import { InstallationClients } from "../../src/app/installations.js";

describe("InstallationClients", () => {
  it("builds one client per installation and hands the same one out again", async () => {
    const built: number[] = [];
    const clients = new InstallationClients(async (id) => {
      built.push(id);
      return { id };
    });
    const a = await clients.get(1);
    expect(await clients.get(1)).toBe(a);
    expect((await clients.get(2)).id).toBe(2);
    expect(built).toEqual([1, 2]);
  });

  it("keeps at most `max`, dropping the least recently used", async () => {
    const built: number[] = [];
    const clients = new InstallationClients(async (id) => {
      built.push(id);
      return id;
    }, 2);
    await clients.get(1);
    await clients.get(2);
    await clients.get(1); // 2 is now the least recently used
    await clients.get(3);
    expect(clients.size).toBe(2);
    await clients.get(1);
    await clients.get(2);
    expect(built).toEqual([1, 2, 3, 2]);
  });

  it("does not keep a failure: the next call tries again", async () => {
    let calls = 0;
    const clients = new InstallationClients(async (id) => {
      calls++;
      if (calls === 1) throw new Error("no key");
      return id;
    });
    await expect(clients.get(5)).rejects.toThrow("no key");
    expect(await clients.get(5)).toBe(5);
    expect(calls).toBe(2);
  });
});
