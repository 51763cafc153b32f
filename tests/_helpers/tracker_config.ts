/**
 * The configuration the job tracker's tests run under: polls every 20 ms, no history.
 * @module
 */
import { defaultRawConfig } from "../../src/config/defaults.ts";
import { configSchema } from "../../src/config/schema.ts";

/** The defaults with a 20 ms cluster poll and history off. */
export function trackerTestConfig() {
  const raw = defaultRawConfig() as {
    streaming: Record<string, unknown>;
    cluster: Record<string, unknown>;
  };
  raw.streaming.persistence = { ...(raw.streaming.persistence as object), enabled: false };
  raw.cluster.poll_interval = "20ms";
  return configSchema.parse(raw);
}
