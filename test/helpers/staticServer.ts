/**
 * A tiny static HTTP server on 127.0.0.1 for the browser tests: serves files
 * from memory (bundles built by the test), optionally with the COOP/COEP
 * headers that make a page cross-origin isolated (shared WebAssembly memory).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };

/** A running server: its base URL (ending in `/`) and `close()`. */
export interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serve `files` (path without the leading slash ↦ content) until `close()`.
 * @param isolated send `Cross-Origin-Opener-Policy: same-origin` and
 *   `Cross-Origin-Embedder-Policy: require-corp` with every response
 */
export async function serveFiles(files: Record<string, string | Uint8Array>, isolated = false): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]).replace(/^\/+/, '') || 'index.html';
    const body = files[path];
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    const ext = path.slice(path.lastIndexOf('.'));
    const headers: Record<string, string> = { 'content-type': TYPES[ext] ?? 'application/octet-stream', 'cache-control': 'no-store' };
    if (isolated) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
    }
    res.writeHead(200, headers).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
