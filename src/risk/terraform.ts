/**
 * Terraform block addresses in a patch: which `resource` and `module` blocks a change removes and
 * adds, and which `moved` blocks it declares. Renaming a block (same type, new name) makes Terraform
 * destroy the old object and create a new one, unless a `moved { from = … to = … }` block says it is
 * the same object. `data` blocks only read, so they are ignored.
 */
import { patchHunks } from "./patch.js";

export interface TerraformBlocks {
  /** Addresses (`aws_instance.web`, `module.vpc`) of block headers on removed lines. */
  readonly removed: string[];
  /** Addresses of block headers on added lines. */
  readonly added: string[];
  /** `moved` blocks on the new side (added or unchanged lines): [from, to] addresses. */
  readonly moved: [string, string][];
}

const LABEL = String.raw`"?([A-Za-z_][A-Za-z0-9_-]*)"?`;
const RESOURCE = new RegExp(String.raw`^\s*resource\s+${LABEL}\s+${LABEL}\s*\{`);
const MODULE = new RegExp(String.raw`^\s*module\s+${LABEL}\s*\{`);
const MOVED = /^\s*moved\s*\{/;
const MOVED_FIELD = /^\s*(from|to)\s*=\s*([A-Za-z0-9_.\-[\]"]+)/;

/** `aws_instance.web["a"]` → `aws_instance.web`: moves are matched on the block address. */
function blockAddress(reference: string): string {
  return reference.replace(/\[[^\]]*\]/g, "");
}

/** The address of a block header line, or undefined. */
function headerAddress(text: string): string | undefined {
  const resource = RESOURCE.exec(text);
  if (resource !== null) return `${resource[1] ?? ""}.${resource[2] ?? ""}`;
  const module = MODULE.exec(text);
  if (module !== null) return `module.${module[1] ?? ""}`;
  return undefined;
}

/** The Terraform blocks `patch` removes, adds and moves. Never throws. */
export function terraformBlocks(patch: string): TerraformBlocks {
  const removed: string[] = [];
  const added: string[] = [];
  const moved: [string, string][] = [];
  for (const hunk of patchHunks(patch)) {
    let inMoved = false;
    let from: string | undefined;
    for (const line of hunk) {
      if (line.kind === "removed") {
        const address = headerAddress(line.text);
        if (address !== undefined) removed.push(address);
        continue;
      }
      if (line.kind === "added") {
        const address = headerAddress(line.text);
        if (address !== undefined) added.push(address);
      }
      if (MOVED.test(line.text)) {
        inMoved = true;
        from = undefined;
        continue;
      }
      if (!inMoved) continue;
      const field = MOVED_FIELD.exec(line.text);
      if (field !== null) {
        const address = blockAddress(field[2] ?? "");
        if (field[1] === "from") from = address;
        else if (from !== undefined) {
          moved.push([from, address]);
          from = undefined;
        }
      } else if (line.text.trim().startsWith("}")) inMoved = false;
    }
  }
  return { removed, added, moved };
}

/** The type part of an address: `aws_instance` for `aws_instance.web`, `module` for `module.vpc`. */
export function addressType(address: string): string {
  return address.slice(0, address.lastIndexOf("."));
}
