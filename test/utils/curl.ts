import { execFile } from 'node:child_process';

/** What `curl -i` printed: the status, the headers (lower-case names) and the body parsed as JSON. */
export interface CurlReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Runs a shell command line (a `curl -i …` example as documented, continuation lines and all) with bash
 * and parses what curl printed. Fails when curl is missing or the request cannot be made.
 */
export function runCurl(command: string): Promise<CurlReply> {
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', command], { maxBuffer: 10 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`curl failed: ${error.message}\n${stderr}`));
        return;
      }
      // `-i` prints every response head (a 100 Continue too): the last head is the answer's.
      const parts = stdout.split(/\r?\n\r?\n/);
      let headIndex = 0;
      while (headIndex + 1 < parts.length && /^HTTP\/\S+ \d{3}/.test(parts[headIndex + 1])) {
        headIndex++;
      }
      const [statusLine, ...headerLines] = parts[headIndex].split(/\r?\n/);
      const status = Number(/^HTTP\/\S+ (\d{3})/.exec(statusLine)?.[1]);
      const headers = Object.fromEntries(
        headerLines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      const text = parts.slice(headIndex + 1).join('\n\n');
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      resolve({ status, headers, body });
    });
  });
}
