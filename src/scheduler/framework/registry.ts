import type { PluginFactory } from './interface.js';

/** Plugin factories by upstream plugin name (upstream's runtime.Registry). */
export class Registry {
  private readonly factories = new Map<string, PluginFactory>();

  constructor(entries: Record<string, PluginFactory> = {}) {
    for (const [name, f] of Object.entries(entries)) this.register(name, f);
  }

  /** Adds a factory; throws when the name is taken. */
  register(name: string, factory: PluginFactory): void {
    if (this.factories.has(name)) throw new Error(`a plugin named ${name} already exists`);
    this.factories.set(name, factory);
  }

  get(name: string): PluginFactory | undefined {
    return this.factories.get(name);
  }

  has(name: string): boolean {
    return this.factories.has(name);
  }

  names(): string[] {
    return [...this.factories.keys()];
  }

  /** A registry with this one's entries and another's (names must not clash). */
  merge(other: Registry): Registry {
    const r = new Registry();
    for (const n of this.names()) r.register(n, this.factories.get(n)!);
    for (const n of other.names()) r.register(n, other.get(n)!);
    return r;
  }
}
