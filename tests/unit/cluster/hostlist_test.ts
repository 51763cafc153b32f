import { deepStrictEqual, throws } from "node:assert";
import {
  expandHostlist,
  firstHost,
  HostlistError,
  MAX_HOSTS,
} from "../../../src/cluster/hostlist.ts";
import { firstNode } from "../../../src/cluster/job.ts";

Deno.test("expandHostlist expands ranges and lists with zero padding", () => {
  deepStrictEqual(expandHostlist("node[01-04,07]"), [
    "node01",
    "node02",
    "node03",
    "node04",
    "node07",
  ]);
  deepStrictEqual(expandHostlist("n[8-11]"), ["n8", "n9", "n10", "n11"]);
  deepStrictEqual(expandHostlist("n[098-101]"), ["n098", "n099", "n100", "n101"]);
  deepStrictEqual(expandHostlist("vm"), ["vm"]);
});

Deno.test("expandHostlist keeps suffixes after a bracket and splits only top-level commas", () => {
  deepStrictEqual(expandHostlist("a[1-2]-ib,b3"), ["a1-ib", "a2-ib", "b3"]);
  deepStrictEqual(expandHostlist("gpu[1,3-4],cpu[10-11],login"), [
    "gpu1",
    "gpu3",
    "gpu4",
    "cpu10",
    "cpu11",
    "login",
  ]);
  deepStrictEqual(expandHostlist("rack[1-2]-n[1-2]"), [
    "rack1-n1",
    "rack1-n2",
    "rack2-n1",
    "rack2-n2",
  ]);
});

Deno.test("expandHostlist gives no hosts for a job without nodes", () => {
  for (const none of [undefined, "", "(null)", "None assigned"]) {
    deepStrictEqual(expandHostlist(none), [], String(none));
  }
});

Deno.test("expandHostlist refuses malformed lists and runaway ranges", () => {
  for (const bad of ["n[1-2", "n1-2]", "n[a-b]", "n[5-3]", "n[[1]]"]) {
    throws(() => expandHostlist(bad), HostlistError, bad);
  }
  throws(() => expandHostlist(`n[1-${MAX_HOSTS + 1}]`), /more than/);
  throws(() => expandHostlist("a[1-300]b[1-300]"), /more than/);
});

Deno.test("firstNode and firstHost take the first host of any list", () => {
  deepStrictEqual(firstNode("node[01-04,07]"), "node01");
  deepStrictEqual(firstNode("a[1-2]-ib,b3"), "a1-ib");
  deepStrictEqual(firstNode("(null)"), undefined);
  deepStrictEqual(firstHost("n[1-"), undefined);
});
