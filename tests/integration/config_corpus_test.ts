/**
 * The corpus of bad configurations (fixtures/bad_config/<scenario>/config.yaml): `s9s config
 * validate` refuses each one, and `s9s stream` refuses it the same way — the same message, the
 * same line, exit 2 — before reading anything. `expected.txt` holds the stderr, `{file}` standing
 * for the config's path.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { ROOT, runS9s, testEnv } from "../_helpers/cli.ts";
import { tempHome } from "../_helpers/temp_dir.ts";

const CORPUS = `${ROOT}fixtures/bad_config`;

const scenarios = [...Deno.readDirSync(CORPUS)].filter((e) => e.isDirectory).map((e) => e.name)
  .sort();

for (const name of scenarios) {
  Deno.test(`config validate and stream refuse the "${name}" config alike, exit 2`, async () => {
    const { dir, home } = await tempHome("s9s-corpus-");
    try {
      const file = `${CORPUS}/${name}/config.yaml`;
      const expected = Deno.readTextFileSync(`${CORPUS}/${name}/expected.txt`)
        .replaceAll("{file}", file);
      const log = `${home}/job.out`;
      await Deno.writeTextFile(log, "a line\n");
      const env = testEnv(home);
      const [validate, stream] = await Promise.all([
        runS9s(["config", "validate", file], { env }),
        runS9s(["--config", file, "stream", "--path", log, "--no-follow"], { env }),
      ]);
      assertEquals([validate.code, validate.stdout, validate.stderr], [2, "", expected]);
      assertEquals([stream.code, stream.stdout, stream.stderr], [2, "", expected]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
