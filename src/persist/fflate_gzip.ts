/**
 * fflate's streaming gzip, as one local module: `--save FILE.gz` imports it lazily (through
 * platform/lazy_import.ts), so no other run loads the package.
 * @module
 */
export { Gzip } from "fflate";
