/** Requests to the runtime's command helper (`command-helper.ts`), one JSON line each. */
export type CommandRequest =
  | { id: number; op: 'run'; file: string; args: string[]; env?: Record<string, string>; cwd?: string; input?: string }
  | { id: number; op: 'shim'; dir: string; shimLog: string }
  /** start conmon (which daemonizes) with its sync pipe on fd 3; answered with the first message on that pipe */
  | { id: number; op: 'conmon'; file: string; args: string[]; cwd: string; shimLog: string };

/** Its answers: a command's exit and output, or the first line of a shim (or message of conmon). */
export type CommandAnswer =
  | { id: number; code: number | null; signal: string | null; stdout: string; stderr: string; error?: string }
  | { id: number; line: string; error?: string };
