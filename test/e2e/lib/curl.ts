import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One request made with the real curl. */
export interface CurlRequest {
  method?: string;
  /** request headers, e.g. `{ 'Content-Type': 'application/json' }` */
  headers?: Record<string, string>;
  /** the request body, sent as-is (`--data-binary`) */
  body?: string | Buffer;
  /** send the admin client certificate; true unless given */
  asAdmin?: boolean;
  /** curl's `--max-time`, in seconds; 20 unless given */
  maxTimeSeconds?: number;
}

/** What the server answered. */
export interface CurlReply {
  status: number;
  /** lower-cased header names; the last value of each */
  headers: Record<string, string>;
  text: string;
  /** the body parsed as JSON */
  json(): any;
}

const marker = '\n--skiff-curl-status:';

/**
 * Call the API server with curl, trusting `<dataDir>/tls/ca.crt` and (unless `asAdmin: false`)
 * presenting the admin certificate `tls/admin.crt` / `tls/admin.key`.
 */
export async function curl(baseUrl: string, dataDir: string, path: string, request: CurlRequest = {}): Promise<CurlReply> {
  const work = mkdtempSync(join(tmpdir(), 'skiff-curl-'));
  try {
    const headerFile = join(work, 'headers');
    const tls = join(dataDir, 'tls');
    const args = ['-sS', '--max-time', String(request.maxTimeSeconds ?? 20), '--cacert', join(tls, 'ca.crt'), '-D', headerFile, '-w', `${marker}%{http_code}`];
    if (request.asAdmin !== false) args.push('--cert', join(tls, 'admin.crt'), '--key', join(tls, 'admin.key'));
    if (request.method) args.push('-X', request.method);
    for (const [name, value] of Object.entries(request.headers ?? {})) args.push('-H', `${name}: ${value}`);
    if (request.body !== undefined) {
      const bodyFile = join(work, 'body');
      writeFileSync(bodyFile, request.body);
      args.push('--data-binary', `@${bodyFile}`);
    }
    args.push(`${baseUrl}${path}`);
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile('curl', args, { maxBuffer: 64 * 1024 * 1024 }, (error, out, err) => {
        if (error && !out.includes(marker)) reject(new Error(`curl ${path} failed: ${err || error.message}`));
        else resolve(out);
      });
    });
    const at = stdout.lastIndexOf(marker);
    const text = stdout.slice(0, at);
    const status = Number(stdout.slice(at + marker.length));
    const headers: Record<string, string> = {};
    for (const line of readFileSync(headerFile, 'utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
    }
    return { status, headers, text, json: () => JSON.parse(text) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
