/**
 * s9s started the README's way, `npx -y deno@… task -q s9s …`, ends when the launcher is sent
 * SIGTERM: npx ends alone, and `deno task` and s9s under it were left running as orphans.
 */
import { assert } from "../_helpers/assert.ts";
import { ROOT } from "../_helpers/cli.ts";
import { waitFor } from "../_helpers/assert.ts";

/** Pids of processes whose command line contains `needle`. */
function pidsWith(needle: string): number[] {
  const pids: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ");
      if (cmd.includes(needle)) pids.push(Number(e.name));
    } catch { /* gone */ }
  }
  return pids;
}

const alive = (pid: number) => {
  try {
    // A zombie has ended; only its parent has not reaped it yet.
    return !/^\d+ \(.*\) Z/.test(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return false;
  }
};

Deno.test("s9s started by npx deno task ends when npx gets SIGTERM", async () => {
  const dir = await Deno.makeTempDir({ prefix: "s9s-launcher-" });
  const log = `${dir}/followed.log`;
  await Deno.writeTextFile(log, "first line\n");
  const npx = new Deno.Command("npx", {
    args: ["-y", `deno@${Deno.version.deno}`, "task", "-q", "--config", `${ROOT}deno.json`, "s9s"]
      .concat(["stream", "-q", "--path", log]),
    cwd: dir,
    env: { NO_COLOR: "1", S9S_HOME: `${dir}/home` },
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let s9s: number[] = [];
  try {
    const reader = npx.stdout.getReader();
    const first = await reader.read();
    assert(new TextDecoder().decode(first.value).includes("first line"), "s9s is following");
    s9s = pidsWith(`stream -q --path ${log}`).filter((p) => p !== npx.pid);
    assert(s9s.length > 0, "found s9s and its deno task");
    npx.kill("SIGTERM");
    await npx.status;
    await waitFor(() => s9s.every((p) => !alive(p)), {
      timeout: 10_000,
      what: `s9s and deno task (${s9s.join(", ")}) to end after npx`,
    });
    reader.releaseLock();
  } finally {
    for (const p of s9s.filter(alive)) Deno.kill(p, "SIGKILL");
    await npx.stdout.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true });
  }
});
