/** The outcome codes of an extension point, as upstream's framework.Code. */
export enum Code {
  Success = 0,
  /** an internal error; the pod is retried with back-off */
  Error = 1,
  /** the pod does not fit now; preemption may help */
  Unschedulable = 2,
  /** the pod does not fit and preemption cannot help on this node */
  UnschedulableAndUnresolvable = 3,
  /** Permit only: hold the pod until allowed, rejected or timed out */
  Wait = 4,
  /** the plugin has nothing to do for this pod (PreFilter/PreScore/Bind) */
  Skip = 5,
  /** PreEnqueue/PreFilter: waiting for something outside the scheduler */
  Pending = 6,
}

const codeNames: Record<Code, string> = {
  [Code.Success]: 'Success',
  [Code.Error]: 'Error',
  [Code.Unschedulable]: 'Unschedulable',
  [Code.UnschedulableAndUnresolvable]: 'UnschedulableAndUnresolvable',
  [Code.Wait]: 'Wait',
  [Code.Skip]: 'Skip',
  [Code.Pending]: 'Pending',
};

/** The result of running a plugin: a code, human-readable reasons and the plugin that failed. */
export class Status {
  /** the plugin that produced this status when it is not Success; set by the framework */
  plugin = '';

  constructor(
    readonly code: Code,
    readonly reasons: string[] = [],
    readonly error?: Error,
  ) {}

  static success(): Status {
    return successStatus;
  }

  static error(err: Error | string): Status {
    const e = typeof err === 'string' ? new Error(err) : err;
    return new Status(Code.Error, [e.message], e);
  }

  static unschedulable(...reasons: string[]): Status {
    return new Status(Code.Unschedulable, reasons);
  }

  static unresolvable(...reasons: string[]): Status {
    return new Status(Code.UnschedulableAndUnresolvable, reasons);
  }

  static skip(): Status {
    return new Status(Code.Skip);
  }

  static wait(...reasons: string[]): Status {
    return new Status(Code.Wait, reasons);
  }

  static pending(...reasons: string[]): Status {
    return new Status(Code.Pending, reasons);
  }

  isSuccess(): boolean {
    return this.code === Code.Success;
  }

  isSkip(): boolean {
    return this.code === Code.Skip;
  }

  isWait(): boolean {
    return this.code === Code.Wait;
  }

  /** Unschedulable, UnschedulableAndUnresolvable or Pending. */
  isRejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable || this.code === Code.Pending;
  }

  codeName(): string {
    return codeNames[this.code];
  }

  /** The reasons joined with ", " (upstream's Status.Message). */
  message(): string {
    return this.reasons.join(', ');
  }

  /** A copy naming the plugin it came from. */
  withPlugin(plugin: string): Status {
    if (this.plugin === plugin) return this;
    const s = new Status(this.code, this.reasons, this.error);
    s.plugin = plugin;
    return s;
  }
}

const successStatus = Object.freeze(new Status(Code.Success)) as Status;

/** Whether a status (absent meaning Success) is Success. */
export function isSuccess(s: Status | undefined | null): boolean {
  return !s || s.code === Code.Success;
}
