import { assertEquals } from "../../_helpers/assert.ts";
import { PaneModel } from "../../../src/tui/model/pane_model.ts";
import { streamStateOf } from "../../../src/tui/widgets/stream_pane.ts";
import type { StreamHandle } from "../../../src/engine/stream_manager.ts";

Deno.test("a pane whose stream is still being set up says starting, not stopped", () => {
  // The output view opens following (its header says LIVE) before the stream manager hands it
  // the stream: on a first start that took seconds under a title that said "stopped".
  assertEquals(streamStateOf(new PaneModel("1001", "stdout"), undefined), "starting");
});

Deno.test("a pane shows its stream's state, and paused over it when scrolled back", () => {
  const m = new PaneModel("1001", "stdout");
  const h = (state: string) => ({ state }) as unknown as StreamHandle;
  assertEquals(streamStateOf(m, h("live")), "live");
  assertEquals(streamStateOf(m, h("pending")), "waiting");
  assertEquals(streamStateOf(m, h("ended")), "ended");
  m.pausedAt = 5;
  assertEquals(streamStateOf(m, h("live")), "paused");
});
