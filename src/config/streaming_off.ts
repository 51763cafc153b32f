/**
 * `streaming.enabled: false`: what `s9s stream` and the UI's stream monitor say instead of
 * streaming. One wording for both.
 * @module
 */

/** The refusal's message and hint; `where` names what turned it off ("file c.yaml line 2"). */
export function streamingOff(where?: string): { message: string; hint: string } {
  return {
    message: `streaming is turned off: streaming.enabled is false${where ? ` (${where})` : ""}`,
    hint: "set streaming.enabled: true in the config file (or S9S_STREAMING__ENABLED=true) to " +
      "follow job output",
  };
}
