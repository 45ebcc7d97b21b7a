/**
 * Keeping credentials out of messages. Sources report URLs and tool output in their errors; both
 * may carry a user name and password (`https://user:token@host/...`) or echo a secret back. Every
 * text that leaves a source passes through here first.
 */

/** The URL without user information, query or fragment: what a message may show. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username === "" && u.password === "") return url;
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    // Not a URL (scp-like `git@host:path`, a file path): user names there are not secrets.
    return url;
  }
}

/** Replaces every occurrence of each secret, and the user information of URLs, by `***`. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, "$1***@");
  for (const s of secrets) {
    if (s.length >= 4) out = out.split(s).join("***");
  }
  return out;
}
