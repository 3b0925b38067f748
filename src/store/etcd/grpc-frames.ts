/** A gRPC call that ended with a non-OK status (or never reached the server: code 14, UNAVAILABLE). */
export class GrpcError extends Error {
  constructor(readonly grpcCode: number, readonly details: string) {
    super(`${GRPC_CODE_NAMES[grpcCode] ?? `code ${grpcCode}`}: ${details}`);
    this.name = 'GrpcError';
  }
}

/** gRPC status codes the driver looks at. */
export const GrpcCode = { ok: 0, cancelled: 1, unknown: 2, deadlineExceeded: 4, outOfRange: 11, internal: 13, unavailable: 14 } as const;

const GRPC_CODE_NAMES: Record<number, string> = {
  0: 'OK',
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};

/** The gRPC code for an HTTP status that came without a grpc-status (per gRPC's http-grpc-status-mapping). */
export function grpcCodeForHttpStatus(status: number): number {
  if (status === 400) return 13;
  if (status === 401) return 16;
  if (status === 403) return 7;
  if (status === 404) return 12;
  if (status === 429 || status === 502 || status === 503 || status === 504) return 14;
  return 2;
}

/** grpc-message is percent-encoded. */
export function decodeGrpcMessage(raw: string | string[] | undefined): string {
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Splits a stream of HTTP/2 DATA chunks into gRPC messages (1-byte compressed flag, 4-byte
 * big-endian length, then the message). A message that arrives in one chunk is passed on as a
 * view of that chunk, without a copy.
 */
export class GrpcDeframer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly onMessage: (message: Buffer) => void) {}

  /** Feed one DATA chunk; calls onMessage for each complete message. Throws GrpcError on a compressed message. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < this.needed()) return;
      buf = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let pos = 0;
    while (buf.length - pos >= 5) {
      const length = buf.readUInt32BE(pos + 1);
      if (buf.length - pos - 5 < length) break;
      if (buf[pos] !== 0) throw new GrpcError(GrpcCode.internal, 'compressed gRPC message, but no compression was offered');
      this.onMessage(buf.subarray(pos + 5, pos + 5 + length));
      pos += 5 + length;
    }
    if (pos < buf.length) {
      this.pending.push(buf.subarray(pos));
      this.pendingBytes = buf.length - pos;
    }
  }

  /** Bytes needed before the first pending message is complete. */
  private needed(): number {
    if (this.pendingBytes < 5) return 5;
    const first = this.pending[0]!;
    const head = first.length >= 5 ? first : Buffer.concat(this.pending, 5);
    return 5 + head.readUInt32BE(1);
  }

  /** True when a partial message is left over (the stream ended mid-message). */
  partial(): boolean {
    return this.pendingBytes > 0;
  }
}
