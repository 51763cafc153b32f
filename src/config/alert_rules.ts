/**
 * What an alert needs besides its pattern: a webhook an http(s) url, a command alert a command.
 * The config schema applies these rules, so `s9s config validate` refuses what `s9s stream` and
 * the UI would refuse, with the same words; the alert engine checks hand-made configs with them.
 * @module
 */

/** One broken rule: the key inside the alert and what is wrong. */
export interface AlertProblem {
  key: "url" | "command";
  message: string;
}

/** The fields of an alert the rules look at. */
export interface AlertFields {
  action: string;
  url?: string;
  command?: string;
}

/** Problems of one alert (empty when it can fire). */
export function alertProblems(a: AlertFields): AlertProblem[] {
  const out: AlertProblem[] = [];
  if (a.action === "webhook") {
    if (!a.url) out.push({ key: "url", message: "a webhook alert needs a url" });
    else if (!isHttpUrl(a.url)) {
      out.push({
        key: "url",
        message: `expected an http:// or https:// URL, got ${JSON.stringify(a.url)}`,
      });
    }
  }
  if (a.action === "command" && !a.command?.trim()) {
    out.push({ key: "command", message: "a command alert needs a command" });
  }
  return out;
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    return false;
  }
}
