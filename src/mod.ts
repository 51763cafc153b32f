/**
 * The s9s library API: the streaming engine without any user interface.
 *
 * ```ts
 * const manager = new StreamManager({ config, cluster });
 * manager.addFilter("errors", "ERROR|FAIL");
 * await manager.startStream("123", "stdout");
 * for await (const event of manager.getStream("123")) console.log(event.timestamp, event.content);
 * ```
 * @module
 */
export { StreamManager } from "./engine/stream_manager.ts";
export type {
  FollowOptions,
  StreamHandle,
  StreamListener,
  StreamManagerOptions,
  StreamRequest,
} from "./engine/stream_manager.ts";
export type { FileTarget, JobTarget, StepTarget, StreamTarget } from "./core/stream_target.ts";
export { targetOfId } from "./core/stream_target.ts";
export type { SourceKind, StreamEvent, StreamState, StreamType } from "./core/stream_event.ts";
export { LineSplitter } from "./core/line_splitter.ts";
export { LineFilter } from "./engine/filter.ts";
export { loadConfig } from "./config/load.ts";
export type { Config, StreamingConfig } from "./config/schema.ts";
export { FileSource } from "./sources/file.ts";
export { MockCluster } from "./cluster/mock.ts";
export type { ClusterBackend, JobInfo } from "./cluster/job.ts";
export { expandPattern } from "./cluster/patterns.ts";
export { resolveOutput } from "./cluster/path_resolver.ts";
