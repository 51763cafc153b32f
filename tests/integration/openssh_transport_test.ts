/**
 * The openssh transport against a real sshd that allows host-based authentication only
 * (scripts/ssh_hostbased.sh): a user with no key streams a job's output from it with the system
 * ssh while builtin refuses; a ProxyCommand alias with metacharacters in the path; a killed
 * master resumes at the exact byte; one TCP connection per node; truncation and rotation.
 */
import {
  assert,
  assertEquals,
  assertMatch,
  assertStringIncludes,
  waitFor,
} from "../_helpers/assert.ts";
import { S9sProcess, testEnv } from "../_helpers/cli.ts";
import { sh } from "../_helpers/command.ts";
import {
  enabled,
  env,
  followOnNode,
  HB,
  lines,
  PATH,
  PORT,
  readOnNode,
  scratch,
} from "../_helpers/hostbased_node.ts";

const slurm = env("S9S_TEST_SLURM") === "1";

/** Established TCP connections to the host-based node's port. */
async function connections(): Promise<number> {
  const r = await sh(["ss", "-Htn", "state", "established", `( dport = :${PORT} )`]);
  return r.stdout.split("\n").filter((l) => l.trim()).length;
}

/** The pids of s9s's masters for `alias` (the background ssh -N of ControlMaster=yes). */
async function masters(alias: string): Promise<number[]> {
  const r = await sh(["pgrep", "-f", `ControlMaster=yes .*-N ${alias}$`]);
  return r.stdout.split("\n").filter((l) => l.trim()).map(Number);
}

interface Ev {
  type: string;
  content: string;
  state?: string;
  source?: string;
}
const events = (p: S9sProcess) => p.json<Ev>();

Deno.test({
  name: "openssh streams a job's output from a host-based-only node; builtin refuses clearly",
  ignore: !enabled || !slurm,
  async fn() {
    const s = await scratch();
    const go = `${s.dir}/go`;
    const script = `#!/bin/bash\nwhile [ ! -e ${go} ]; do sleep 0.1; done\n` +
      `for i in $(seq 1 300); do echo "hb line $i"; done\n`;
    const sub = await sh(["sbatch", "--parsable", "-o", `${s.dir}/job-%j.out`, "--wrap", script]);
    assertEquals(sub.code, 0, sub.stderr);
    const id = sub.stdout.trim().split(";")[0];
    try {
      const p = new S9sProcess([
        "--config",
        s.cfg,
        "--ssh-transport",
        "openssh",
        "stream",
        "--job",
        id,
        "--type",
        "stdout",
        "-o",
        "json",
        "--events",
        "--source",
        "ssh",
      ], { env: testEnv(s.home, { PATH }) });
      // BatchHost is this machine's name, which the test's ssh_config sends to the host-based sshd.
      await waitFor(() => events(p).some((e) => e.state === "live") || /error/.test(p.stderr), {
        timeout: 300_000, // the shared cluster's 2 CPUs may be busy with others' jobs
        what: "the stream to go live",
      });
      assert(!/error/.test(p.stderr), p.stderr);
      await Deno.writeTextFile(go, "");
      const st = await p.finished();
      assertEquals(st.code, 0, p.stderr);
      const out = events(p).filter((e) => e.type === "stdout");
      assertEquals(out.map((e) => e.content), lines(1, 300, "hb line"));
      assert(out.every((e) => e.source === "ssh"), "read on the node");

      // The built-in client has no host-based authentication: a clear refusal naming openssh.
      await Deno.writeTextFile(
        s.cfg,
        [
          "streaming:",
          "  ssh:",
          "    user: s9shb",
          `    port: ${PORT}`,
          `    known_hosts: ${HB}/known_hosts`,
          "    retry_attempts: 0",
          "  persistence:",
          "    enabled: false",
          "",
        ].join("\n"),
      );
      const b = await readOnNode(s, "builtin", "127.0.0.1", `${s.dir}/job-${id}.out`);
      assertEquals(b.code, 1, b.stderr);
      assertEquals(b.stdout, "");
      assertStringIncludes(b.stderr, `error: SSH authentication to "s9shb@127.0.0.1" failed\n`);
      assertMatch(b.stderr, /\nhint: .*use --ssh-transport openssh\n$/);
    } finally {
      await sh(["scancel", id]);
    }
  },
});

Deno.test({
  name: "openssh follows a file through a ProxyCommand alias, metacharacters in its path",
  ignore: !enabled,
  async fn() {
    const s = await scratch();
    const f = `${s.dir}/it's a $(file) "with" *.out`;
    await Deno.writeTextFile(f, lines(1, 50, "proxied").join("\n") + "\n");
    const r = await readOnNode(s, "openssh", "hbproxy", f);
    assertEquals(r.code, 0, r.stderr);
    assertEquals(r.stdout, lines(1, 50, "proxied").join("\n") + "\n");
    assertStringIncludes(r.stderr, "reading hbproxy through the system ssh");
    assertEquals(await masters("hbproxy"), [], "the master closed when s9s ended");
  },
});

Deno.test({
  name: "openssh reads megabytes exactly: lines and characters across every read of the pipe",
  ignore: !enabled,
  async fn() {
    // ~4 MB in lines of 1–300 characters, some of them two- and three-byte ones: the ssh
    // client's stdout is read 64 KiB at a time into one buffer, so every read ends inside a line
    // (often inside a character) and the next read overwrites what the last one brought.
    const s = await scratch();
    const f = `${s.dir}/big.out`;
    const want: string[] = [];
    for (let i = 0, size = 0; size < 4_000_000; i++) {
      const line = `${i} ` + "abcé€xyz".repeat(1 + (i * 7919) % 37).slice(0, (i * 131) % 300);
      want.push(line);
      size += line.length + 1;
    }
    await Deno.writeTextFile(f, want.join("\n") + "\n");
    const r = await readOnNode(s, "openssh", "hbnode", f);
    assertEquals(r.code, 0, r.stderr);
    const got = r.stdout.split("\n");
    assertEquals(got.pop(), "");
    assertEquals(got.length, want.length);
    const first = got.findIndex((l, i) => l !== want[i]);
    assertEquals(first, -1, `line ${first + 1} differs: ${JSON.stringify(got[first])}`);
  },
});

Deno.test({
  name: "openssh: one connection for three files; a killed master resumes at the exact byte",
  ignore: !enabled,
  async fn() {
    const s = await scratch(["  ssh:", "    retry_attempts: 5"]);
    const files = ["a", "b", "c"].map((n) => `${s.dir}/${n}.out`);
    for (const f of files) {
      await Deno.writeTextFile(f, lines(1, 100, f.slice(-5)).join("\n") + "\n");
    }
    const p = followOnNode(s, files);
    const of = (f: string) =>
      events(p).filter((e) => e.type === "stdout" && e.content.startsWith(f.slice(-5)))
        .map((e) => e.content as string);
    try {
      await waitFor(() => files.every((f) => of(f).length === 100), {
        timeout: 30_000,
        what: `100 lines of each file; ${p.stderr}`,
      });
      assertEquals(await connections(), 1, "one TCP connection for the node");
      const [master] = await masters("hbnode");
      assert(master, "a master is running");
      // Half a line before the drop: the rest of it comes after the reconnect.
      for (const f of files) await Deno.writeTextFile(f, `${f.slice(-5)} 101`, { append: true });
      await sh(["kill", "-KILL", String(master)]);
      await waitFor(async () => (await masters("hbnode")).some((m) => m !== master), {
        timeout: 30_000,
        what: `a new master; ${p.stderr}`,
      });
      for (const f of files) {
        await Deno.writeTextFile(f, "\n" + lines(102, 200, f.slice(-5)).join("\n") + "\n", {
          append: true,
        });
      }
      await waitFor(() => files.every((f) => of(f).length >= 200), {
        timeout: 30_000,
        what: `200 lines of each file; ${p.stderr}`,
      });
      for (const f of files) assertEquals(of(f), lines(1, 200, f.slice(-5)));
      assert(
        events(p).some((e) => e.type === "status" && /reconnected to hbnode/.test(e.content)),
        p.stderr,
      );
      assertEquals(await connections(), 1, "still one connection after the reconnect");
    } finally {
      await p.stop("SIGINT");
    }
    await waitFor(async () => (await masters("hbnode")).length === 0, {
      timeout: 10_000,
      what: "s9s's master to be closed",
    });
    // Nothing left behind on the node: the remote tails end with their sessions.
    await waitFor(async () => (await sh(["pgrep", "-u", "s9shb", "-x", "tail"])).code === 1, {
      timeout: 10_000,
      what: `the node's tail processes to end: ${
        (await sh(["pgrep", "-a", "-u", "s9shb"])).stdout
      }`,
    });
  },
});

Deno.test({
  name: "openssh notices truncation and rotation of the remote file and reads each new start",
  ignore: !enabled,
  async fn() {
    const s = await scratch();
    const f = `${s.dir}/rot.out`;
    await Deno.writeTextFile(f, lines(1, 3, "old").join("\n") + "\n");
    const p = followOnNode(s, [f]);
    const got = () => events(p).filter((e) => e.type === "stdout").map((e) => e.content);
    const status = (re: RegExp) => events(p).some((e) => e.type === "status" && re.test(e.content));
    try {
      await waitFor(() => got().length === 3, { timeout: 30_000, what: "the first lines" });
      await Deno.truncate(f, 0);
      await waitFor(() => status(/was truncated on hbnode/), {
        timeout: 30_000,
        what: "truncation",
      });
      await Deno.writeTextFile(f, lines(1, 2, "after truncation").join("\n") + "\n", {
        append: true,
      });
      await waitFor(() => got().length === 5, { timeout: 30_000, what: "lines after truncation" });
      await Deno.rename(f, `${f}.1`);
      await Deno.writeTextFile(f, lines(1, 2, "rotated").join("\n") + "\n");
      await waitFor(() => got().length === 7, { timeout: 30_000, what: "the new file's lines" });
      assertEquals(got(), [
        ...lines(1, 3, "old"),
        ...lines(1, 2, "after truncation"),
        ...lines(1, 2, "rotated"),
      ]);
      // tail says "has been replaced", or "has become inaccessible" then "has appeared".
      assert(status(/has been replaced|has appeared/), p.stderr);
    } finally {
      await p.stop("SIGINT");
    }
  },
});
