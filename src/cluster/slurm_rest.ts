/**
 * The cluster seen through slurmrestd, over TCP with a JWT (`X-SLURM-USER-NAME` and
 * `X-SLURM-USER-TOKEN`) or over its unix socket (rest_auth/local: no token). The OpenAPI version
 * is configured or discovered (v0.0.36 up to v0.0.43); both JSON shapes are understood.
 * @module
 */
import type { Config } from "../config/schema.ts";
import { UsageError, UserFacingError } from "../errors.ts";
import type { ClusterBackend, JobInfo, ListOptions, StepInfo } from "./job.ts";
import { baseState } from "./job.ts";
import { checkJobId } from "./slurm_cli.ts";
import { type CommandRunner, firstLine, runSlurmCommand } from "./slurm_command.ts";
import {
  normalizeVersion,
  pickVersion,
  SUPPORTED_VERSIONS,
  versionsInSpec,
} from "./api_version.ts";
import { jwtClaims } from "./jwt_claims.ts";
import { restTarget } from "./rest_target.ts";
import {
  JWT_HINT,
  type Reply,
  restAuthError,
  restConnectError,
  restFailure,
  type RestPlace,
} from "./rest_errors.ts";
import { DEFAULT_ENDPOINT, jobEndpoint } from "../config/slurm_api.ts";
import {
  isInvalidJobId,
  jobsFromSlurmJson,
  selectJobs,
  type SlurmApiError,
  slurmErrors,
  sortTasks,
} from "./slurm_json.ts";

export { DEFAULT_ENDPOINT };

/** Options for {@link SlurmRestBackend}. */
export interface SlurmRestOptions {
  /** `http://host:port` of a slurmrestd listening on TCP. */
  url?: string;
  /** Path of slurmrestd's unix socket (used instead of url when both are given). */
  socket?: string;
  /** "auto" (default) or e.g. "v0.0.40". */
  version?: string;
  /** Path template of the one-job request; `{version}` and `{job_id}` are filled in. */
  endpoint?: string;
  /** A JWT; else $SLURM_JWT, else `scontrol token` (TCP only, or after a 401 on the socket). */
  token?: string;
  /** User name for the token; else the token's own, $USER, or `id -un`. */
  user?: string;
  /** Milliseconds one request may take (15 s by default). */
  timeout?: number;
  /** Runs `scontrol token` / `id -un`; the real commands by default. */
  run?: CommandRunner;
}

interface Credentials {
  user: string;
  token: string;
  /** Expiry (epoch ms) of a token s9s fetched itself, so it can fetch a new one in time. */
  renewAt?: number;
}

export type { Reply } from "./rest_errors.ts";

/** The slurmrestd backend. */
export class SlurmRestBackend implements ClusterBackend {
  readonly name = "rest";
  #opts: SlurmRestOptions;
  #base: string;
  #where: string;
  #client?: Deno.HttpClient;
  #run: CommandRunner;
  #version?: Promise<string>;
  #creds?: Promise<Credentials>;
  /** Whether requests carry a token: always on TCP; on the socket once it asked for one. */
  #useToken: boolean;

  constructor(options: SlurmRestOptions) {
    this.#opts = options;
    this.#run = options.run ??
      ((cmd, args) => runSlurmCommand(cmd, args, { timeout: options.timeout }));
    if (options.socket) {
      this.#client = Deno.createHttpClient({ proxy: { transport: "unix", path: options.socket } });
      this.#base = "http://localhost";
      this.#where = `unix:${options.socket}`;
      this.#useToken = Boolean(options.token);
    } else if (options.url) {
      this.#base = options.url.replace(/\/+$/, "");
      this.#where = this.#base;
      this.#useToken = true;
    } else {
      throw new UsageError("streaming.slurm_api needs a url or a socket to reach slurmrestd", {
        hint:
          "set streaming.slurm_api.url (e.g. http://slurmctl:6820) or streaming.slurm_api.socket",
      });
    }
  }

  /** A backend from `streaming.slurm_api`. */
  static fromConfig(config: Config): SlurmRestBackend {
    const api = config.streaming.slurm_api;
    return new SlurmRestBackend({
      ...restTarget(api),
      version: api.version || "auto",
      endpoint: jobEndpoint(api.endpoint),
      token: api.token || undefined,
      user: api.user || undefined,
    });
  }

  /** The OpenAPI version in use ("v0.0.38"), discovered on first use when "auto". */
  version(): Promise<string> {
    this.#version ??= this.#discover().catch((err) => {
      this.#version = undefined;
      throw err;
    });
    return this.#version;
  }

  /** One job (for an array id, all its tasks) via `GET /slurm/{v}/job/{id}`. [] when unknown. */
  async getJob(id: string): Promise<JobInfo[]> {
    const query = checkJobId(id);
    const v = await this.version();
    const path = (this.#opts.endpoint || DEFAULT_ENDPOINT)
      .replaceAll("{version}", v)
      .replaceAll("{job_id}", encodeURIComponent(query));
    const reply = await this.#get(path);
    const errors = slurmErrors(reply.doc);
    const jobs = jobsFromSlurmJson(reply.doc, this.name);
    if (reply.status < 400 && jobs.length) {
      // For "123_3" where task 3 holds the array's own job id 123, slurmrestd answers with every
      // task of the array: keep the one asked for.
      const chosen = selectJobs(jobs, query);
      return chosen.length ? chosen : sortTasks(jobs);
    }
    if (errors.some(isInvalidJobId)) return [];
    // slurmrestd cannot look up a task still waiting in its array's pending record ("123_5"
    // while the record says "123_[4-9]"); ask for the whole array and pick the task out.
    const task = /^(\d+)_\d+$/.exec(query);
    if (task && errors.some(isJobNotFound) && reply.status < 500) {
      return selectJobs(await this.getJob(task[1]), query);
    }
    if (reply.status < 400 && !errors.length) return jobs;
    throw restFailure(reply, errors, `looking up job ${query}`, this.#place());
  }

  /** Several jobs with one `GET /jobs`. Keys are the ids asked for. */
  async getJobs(ids: string[]): Promise<Map<string, JobInfo[]>> {
    const queries = [...new Set(ids.map(checkJobId))];
    const result = new Map<string, JobInfo[]>();
    if (queries.length === 1) result.set(queries[0], await this.getJob(queries[0]));
    if (queries.length <= 1) return result;
    const all = await this.#jobs();
    for (const q of queries) result.set(q, selectJobs(all, q));
    return result;
  }

  /** Jobs slurmctld knows, via `GET /slurm/{v}/jobs`, filtered by user and base state. */
  async listJobs(options: ListOptions = {}): Promise<JobInfo[]> {
    let jobs = await this.#jobs();
    if (options.user) jobs = jobs.filter((j) => j.user === options.user);
    if (options.states?.length) {
      const want = new Set(options.states.map((s) => baseState(s)));
      jobs = jobs.filter((j) => want.has(baseState(j.state)));
    }
    return jobs;
  }

  /**
   * Always []: slurmrestd's slurmctld endpoints (up to v0.0.43) list jobs, not their running
   * steps, and its slurmdbd ones only what accounting recorded. A step id typed by hand still
   * works (the api source asks Slurm itself).
   */
  listSteps(_jobId?: string): Promise<StepInfo[]> {
    return Promise.resolve([]);
  }

  /** Close the unix-socket client. */
  close(): void {
    this.#client?.close();
    this.#client = undefined;
  }

  async #jobs(): Promise<JobInfo[]> {
    const reply = await this.#get(`/slurm/${await this.version()}/jobs`);
    const errors = slurmErrors(reply.doc);
    if (reply.status >= 400 || (errors.length && !hasJobs(reply.doc))) {
      throw restFailure(reply, errors, "listing jobs", this.#place());
    }
    return jobsFromSlurmJson(reply.doc, this.name);
  }

  async #discover(): Promise<string> {
    const configured = this.#opts.version?.trim();
    if (configured && configured !== "auto") return normalizeVersion(configured);
    const spec = await this.#get("/openapi/v3");
    if (spec.status === 401 || spec.status === 403) throw restAuthError(spec, this.#place());
    const offered = spec.status === 200 ? versionsInSpec(spec.doc) : [];
    const chosen = pickVersion(offered);
    if (chosen) return chosen;
    // No spec (or an unfamiliar one): ask each version's ping, newest first.
    for (const v of SUPPORTED_VERSIONS) {
      const ping = await this.#get(`/slurm/${v}/ping`);
      if (ping.status === 401 || ping.status === 403) throw restAuthError(ping, this.#place());
      if (ping.status !== 404 && isRecord(ping.doc)) return v;
    }
    throw new UserFacingError(`slurmrestd at ${this.#where} offers no API version s9s knows`, {
      hint: `s9s speaks ${SUPPORTED_VERSIONS.at(-1)} to ${SUPPORTED_VERSIONS[0]}; ` +
        "load one with `slurmrestd -s openapi/v0.0.XX` (or data_parser/v0.0.XX)",
    });
  }

  /**
   * A POST or DELETE (job submit, cancel) with the same credentials; `{version}` in `path` is
   * the API version in use. The reply as it came: status, parsed document, text.
   */
  async send(method: "POST" | "DELETE", path: string, body?: unknown): Promise<Reply> {
    const json = body === undefined ? undefined : JSON.stringify(body);
    return await this.#get(path.replaceAll("{version}", await this.version()), false, {
      method,
      body: json,
    });
  }

  async #get(
    path: string,
    retried = false,
    init?: { method: string; body?: string },
  ): Promise<Reply> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (init?.body !== undefined) headers["Content-Type"] = "application/json";
    if (this.#useToken) {
      const c = await this.#credentials();
      headers["X-SLURM-USER-NAME"] = c.user;
      headers["X-SLURM-USER-TOKEN"] = c.token;
    }
    let res: Response;
    try {
      res = await fetch(this.#base + path, {
        method: init?.method,
        body: init?.body,
        headers,
        client: this.#client,
        signal: AbortSignal.timeout(this.#opts.timeout ?? 15_000),
      });
    } catch (err) {
      throw restConnectError(err, this.#place());
    }
    const text = await res.text();
    if ((res.status === 401 || res.status === 403) && !retried) {
      // The socket may want a token after all; a token s9s fetched may have expired.
      const c = this.#creds ? await this.#creds.catch(() => undefined) : undefined;
      if (!this.#useToken || c?.renewAt !== undefined) {
        this.#useToken = true;
        this.#creds = undefined;
        return this.#get(path, true, init);
      }
    }
    let doc: unknown;
    try {
      doc = text ? JSON.parse(text) : undefined;
    } catch {
      doc = undefined;
    }
    return { path, status: res.status, doc, text };
  }

  #credentials(): Promise<Credentials> {
    if (this.#creds) {
      const pending = this.#creds;
      return pending.then((c) => {
        if (c.renewAt !== undefined && Date.now() > c.renewAt) {
          this.#creds = undefined;
          return this.#credentials();
        }
        return c;
      });
    }
    this.#creds = this.#fetchCredentials().catch((err) => {
      this.#creds = undefined;
      throw err;
    });
    return this.#creds;
  }

  async #fetchCredentials(): Promise<Credentials> {
    let token = this.#opts.token || Deno.env.get("SLURM_JWT") || undefined;
    let renewAt: number | undefined;
    if (!token) {
      const r = await this.#run("scontrol", ["token"]);
      const m = /SLURM_JWT=(\S+)/.exec(r.stdout);
      if (r.code !== 0 || !m) {
        throw new UserFacingError(
          `cannot get a Slurm token for ${this.#where}: ${
            firstLine(r.stderr) || "scontrol token failed"
          }`,
          { hint: JWT_HINT },
        );
      }
      token = m[1];
      const exp = jwtClaims(token).exp;
      // Fetch a fresh one a minute before this one runs out.
      renewAt = typeof exp === "number" ? exp * 1000 - 60_000 : Date.now() + 15 * 60_000;
    }
    const sun = jwtClaims(token).sun;
    const user = this.#opts.user || (typeof sun === "string" ? sun : undefined) ||
      Deno.env.get("USER") || Deno.env.get("LOGNAME") || (await this.#idUser());
    return { user, token, renewAt };
  }

  /** Which slurmrestd this is, for the wording of errors. */
  #place(): RestPlace {
    return {
      where: this.#where,
      socket: this.#opts.socket,
      version: this.#opts.version,
      useToken: this.#useToken,
    };
  }

  async #idUser(): Promise<string> {
    const r = await this.#run("id", ["-un"]).catch(() => undefined);
    const name = r?.code === 0 ? r.stdout.trim() : "";
    if (!name) {
      throw new UserFacingError("cannot tell which user to send to slurmrestd", {
        hint: "set streaming.slurm_api.user",
      });
    }
    return name;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function hasJobs(doc: unknown): boolean {
  return isRecord(doc) && Array.isArray(doc.jobs);
}

/** slurmrestd's answer to a job id it cannot parse or find (9002 in v0.0.38). */
function isJobNotFound(e: SlurmApiError): boolean {
  return /unable to find job/i.test(e.description) || /not found/i.test(e.error);
}
