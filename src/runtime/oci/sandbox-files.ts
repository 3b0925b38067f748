import type { SandboxConfig } from '../types.js';

/** The pod's /etc/hosts as the kubelet writes it (managed header, localhost lines, pod IP and name, hostAliases). */
export function hostsFile(config: Pick<SandboxConfig, 'hostname' | 'hostAliases'>, podIPs: string[], hostHosts?: string): string {
  const lines = hostHosts !== undefined ? [hostHosts.trimEnd()] : [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    ...podIPs.map((ip) => `${ip}\t${config.hostname}`),
  ];
  if (config.hostAliases.length) {
    lines.push('', '# Entries added by HostAliases.');
    for (const alias of config.hostAliases) lines.push(`${alias.ip}\t${alias.hostnames.join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** /etc/resolv.conf from the sandbox's DNS settings; the host's file when the pod names no server. */
export function resolvConfFile(dns: SandboxConfig['dns'], hostResolvConf: string): string {
  if (!dns.servers.length && !dns.searches.length && !dns.options.length) return hostResolvConf;
  const lines: string[] = [];
  if (dns.searches.length) lines.push(`search ${dns.searches.join(' ')}`);
  for (const server of dns.servers) lines.push(`nameserver ${server}`);
  if (!dns.servers.length) lines.push(...hostResolvConf.split('\n').filter((l) => l.startsWith('nameserver ')));
  if (dns.options.length) lines.push(`options ${dns.options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
