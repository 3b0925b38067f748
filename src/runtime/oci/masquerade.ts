import { CommandError, runCommand as run } from './commands.js';

/**
 * The nftables table holding the pod network's source NAT for `bridge`: one rule for the whole
 * pod subnet instead of the bridge plugin's `ipMasq` (an iptables chain per pod, built under the
 * xtables lock on every pod start). Removing the table removes the rule.
 */
export function masqueradeTable(bridge: string): string {
  return `skiff_nat_${bridge.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

async function nft(script: string): Promise<void> {
  try {
    await run('nft', ['-f', '-'], { input: script });
  } catch (error) {
    throw new Error(`nft: ${(error instanceof CommandError && error.stderr.trim()) || (error as Error).message}`);
  }
}

/**
 * Masquerades what pods on each of `subnets` send outside their subnet (not multicast), as the
 * bridge plugin's `ipMasq` does; replaces whatever the table held (atomically, one `nft -f`
 * transaction).
 */
export async function ensureMasquerade(bridge: string, subnets: string[]): Promise<void> {
  const table = masqueradeTable(bridge);
  await nft(
    [
      `add table ip ${table}`,
      `delete table ip ${table}`,
      `table ip ${table} {`,
      '  chain postrouting {',
      '    type nat hook postrouting priority srcnat; policy accept;',
      ...subnets.map((s) => `    ip saddr ${s} ip daddr != ${s} ip daddr != 224.0.0.0/4 masquerade`),
      '  }',
      '}',
      '',
    ].join('\n'),
  );
}

/** Removes the masquerade table of `bridge`; a missing table (or nft) is fine. */
export async function removeMasquerade(bridge: string): Promise<void> {
  await run('nft', ['delete', 'table', 'ip', masqueradeTable(bridge)]).catch(() => undefined);
}

/** True when the table of `bridge` exists. */
export async function masqueradePresent(bridge: string): Promise<boolean> {
  return run('nft', ['list', 'table', 'ip', masqueradeTable(bridge)]).then(() => true, () => false);
}

/** True when the `nft` command works here. */
export async function nftAvailable(): Promise<boolean> {
  return run('nft', ['--version']).then(() => true, () => false);
}
