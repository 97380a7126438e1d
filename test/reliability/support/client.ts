import { Agent, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';

/** One request as the fuzzer and the matrices build it: the body is raw text (it may be malformed JSON). */
export interface RawRequest {
  method: string;
  /** Path and query, already percent-encoded. */
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** What came back: the status and the body text (and its JSON, when it is JSON). */
export interface RawResponse {
  status: number;
  text: string;
  json: unknown;
}

/**
 * A keep-alive HTTP client for one listening app: thousands of sequential requests reuse one socket,
 * so a request costs the app's work and little else (supertest opens a server per request).
 */
export class KeepAliveClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });

  private constructor(private readonly port: number) {}

  /** Makes the app listen on an ephemeral port of 127.0.0.1 (if it is not listening yet). */
  static async of(app: INestApplication): Promise<KeepAliveClient> {
    const server = app.getHttpServer() as { address(): AddressInfo | string | null };
    if (!server.address()) {
      await app.listen(0, '127.0.0.1');
    }
    return new KeepAliveClient((server.address() as AddressInfo).port);
  }

  send(req: RawRequest, timeoutMs = 30_000): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
      const headers: Record<string, string | number> = { ...req.headers };
      if (body) {
        headers['content-length'] = body.length;
      }
      const outgoing = request(
        { host: '127.0.0.1', port: this.port, method: req.method, path: req.url, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text === '' ? undefined : JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, text, json });
          });
          res.on('error', reject);
        },
      );
      outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no answer in ${timeoutMs} ms`)));
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** Sends a JSON body (or none) with the given headers. */
  json(method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<RawResponse> {
    return this.send({
      method,
      url,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
