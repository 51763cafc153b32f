import { PathStamp } from "../../../src/sources/path_stamp.ts";
import { assertEquals, waitFor } from "../../_helpers/assert.ts";
import { tempHome } from "../../_helpers/temp_dir.ts";

/** Wait until the directory's last change is older than the stamp's settling time. */
async function settled(dir: string): Promise<void> {
  await waitFor(() => Date.now() - Deno.statSync(dir).mtime!.getTime() > 50, { what: "settled" });
}

Deno.test("PathStamp vouches for a path while its directory is unchanged, and no longer after a rename in it", async () => {
  const { dir } = await tempHome();
  try {
    const path = `${dir}/job.out`;
    Deno.writeTextFileSync(path, "one\n");
    await settled(dir);
    const stamp = new PathStamp(path);
    assertEquals(stamp.unchanged(), false, "nothing taken yet");
    stamp.take();
    Deno.writeTextFileSync(path, "two\n", { append: true }); // a write is no change of a name
    assertEquals(stamp.unchanged(), true);
    Deno.renameSync(path, `${path}.1`);
    Deno.writeTextFileSync(path, "new\n");
    // (a stat of the directory serves for a millisecond)
    await waitFor(() => !stamp.unchanged(), { what: "a rotation seen" });
    await settled(dir);
    stamp.take();
    Deno.removeSync(path);
    await waitFor(() => !stamp.unchanged(), { what: "a removal seen" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("PathStamp never vouches for a symlink or for a directory that changed just now", async () => {
  const { dir } = await tempHome();
  try {
    Deno.writeTextFileSync(`${dir}/target.out`, "one\n");
    Deno.symlinkSync(`${dir}/target.out`, `${dir}/link.out`);
    await settled(dir);
    const link = new PathStamp(`${dir}/link.out`);
    link.take();
    assertEquals(link.unchanged(), false, "a symlink's target lives elsewhere");
    Deno.mkdirSync(`${dir}/sub`);
    Deno.writeTextFileSync(`${dir}/sub/fresh.out`, "x\n"); // its directory changes now
    const fresh = new PathStamp(`${dir}/sub/fresh.out`);
    fresh.take();
    assertEquals(fresh.unchanged(), false, "a change within the timestamps' grain could hide");
    fresh.forget();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
