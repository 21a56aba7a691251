/**
 * The countersign GitHub App (Probot application function).
 *
 * This is the imperative shell's entry point: webhook handlers will gather facts from GitHub,
 * evaluate them with the pure core (src/detection, …) and publish the verdict. The gate itself
 * arrives with the next milestone; today the app loads, logs that it is ready, and does nothing else.
 */
import type { Probot } from "probot";

export default function countersign(app: Probot): void {
  app.log.info({ event: "ready" }, "countersign loaded: AI-authorship detection is available; the gate is not enabled in this version");
}
