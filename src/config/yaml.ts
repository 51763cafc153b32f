/**
 * The YAML parser, as one local module: config loading imports it lazily (through
 * platform/lazy_import.ts, only when there is a config file to read), so that neither the
 * package nor Node's compatibility layer is part of the start-up of a run without one.
 * @module
 */
export { Document, isMap, isScalar, LineCounter, parseDocument, stringify } from "yaml";
