import { FileSource } from "../../../src/sources/file.ts";
import { fsTypeOf } from "../../../src/sources/watch_hub.ts";
import { batchLines } from "../../../src/core/line_batch.ts";
import { assertEquals } from "../../_helpers/assert.ts";

Deno.test("FileSource reads a large file in catch-up reads with the same lines and numbers as small reads", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/big.log`;
    const lines = Array.from(
      { length: 60_000 },
      (_, i) => `${i} ${"é".repeat(i % 7)} ${"y".repeat(i % 90)}`,
    );
    await Deno.writeTextFile(path, lines.join("\n") + "\n");
    const read = async (chunkSize: number) => {
      const got: string[] = [];
      const nums: number[] = [];
      const src = new FileSource(path, { follow: false, chunkSize });
      await src.run({
        batch: (b) => {
          nums.push(b.firstLine);
          got.push(...batchLines(b));
        },
        status: () => {},
      });
      return { got, first: nums[0], offset: src.offset, next: src.nextLine };
    };
    const fast = await read(64 * 1024);
    const slow = await read(4096);
    assertEquals(fast.got, lines);
    assertEquals(slow.got, lines);
    assertEquals(fast.offset, slow.offset);
    assertEquals(fast.next, 60_001);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fsTypeOf picks the longest matching mount point", () => {
  const mounts = [
    { point: "/lustre/scratch", type: "lustre" },
    { point: "/lustre", type: "nfs" },
    { point: "/", type: "ext4" },
  ];
  assertEquals(fsTypeOf("/lustre/scratch/u/slurm-1.out", mounts), "lustre");
  assertEquals(fsTypeOf("/lustre/other/slurm-1.out", mounts), "nfs");
  assertEquals(fsTypeOf("/lustre-x/slurm-1.out", mounts), "ext4");
  assertEquals(fsTypeOf("/home/u/slurm-1.out", mounts), "ext4");
});
