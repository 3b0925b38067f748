/**
 * The WebSocket channel protocol of exec and attach (`k8s.io/apimachinery` wsstream and
 * remotecommand): each binary message starts with a channel byte.
 */

/** Subprotocols served, preferred first. v5 adds the stdin close message to v4. */
export const channelProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

export type ChannelProtocol = (typeof channelProtocols)[number];

export const channels = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  /** a Status ends the session (v4+) */
  error: 3,
  /** `{"Width":w,"Height":h}` */
  resize: 4,
  /** v5: `[255, channel]` closes that channel (stdin EOF) */
  close: 255,
} as const;

/** The first protocol of ours the client offers in `Sec-WebSocket-Protocol`, if any. */
export function chooseChannelProtocol(offered: string | undefined | Iterable<string>): ChannelProtocol | undefined {
  const list = typeof offered === 'string' || offered === undefined ? (offered ?? '').split(',').map((p) => p.trim()) : [...offered];
  return channelProtocols.find((p) => list.includes(p));
}

/** A message on `channel`. */
export function frame(channel: number, data: Buffer | string): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  const out = Buffer.allocUnsafe(payload.length + 1);
  out[0] = channel;
  payload.copy(out, 1);
  return out;
}

/** What a received message means. */
export type ChannelMessage =
  | { kind: 'data'; channel: number; payload: Buffer }
  | { kind: 'resize'; width: number; height: number }
  | { kind: 'close'; channel: number }
  | { kind: 'invalid'; reason: string };

/** Decodes one message from the client. */
export function parseMessage(data: Buffer, protocol: ChannelProtocol): ChannelMessage {
  if (data.length === 0) return { kind: 'invalid', reason: 'empty message' };
  const channel = data[0]!;
  const payload = data.subarray(1);
  if (channel === channels.close && protocol === 'v5.channel.k8s.io') {
    if (payload.length !== 1) return { kind: 'invalid', reason: 'close message must name one channel' };
    return { kind: 'close', channel: payload[0]! };
  }
  if (channel === channels.resize) {
    try {
      const size = JSON.parse(payload.toString('utf8')) as { Width?: unknown; Height?: unknown };
      if (typeof size.Width === 'number' && typeof size.Height === 'number') return { kind: 'resize', width: size.Width, height: size.Height };
    } catch {
      /* reported below */
    }
    return { kind: 'invalid', reason: 'resize message is not {"Width":w,"Height":h}' };
  }
  return { kind: 'data', channel, payload };
}

/** The Status written on the error channel when the command ends (`exitCode` 0: Success). */
export function exitStatus(exitCode: number, command: string[] = []): object {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** The Status written on the error channel when the session failed for another reason. */
export function failureStatus(message: string): object {
  return { metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 };
}
