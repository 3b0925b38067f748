import { readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, hostname, networkInterfaces, release, totalmem } from 'node:os';

/** What the node reports about the machine it runs on. */
export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
  internalIP: string;
  hostname: string;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  machineID: string;
  bootID: string;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return fallback;
  }
}

/** `MemTotal` from /proc/meminfo in bytes (os.totalmem elsewhere). */
export function memoryBytes(): number {
  const m = /^MemTotal:\s+(\d+)\s+kB/m.exec(readOr('/proc/meminfo', ''));
  return m ? Number(m[1]) * 1024 : totalmem();
}

/** PRETTY_NAME from /etc/os-release. */
export function osImage(): string {
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readOr('/etc/os-release', ''));
  return m?.[1] ?? 'Unknown';
}

/** The first non-internal IPv4 address, else 127.0.0.1. */
export function primaryIPv4(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** Reads the machine's CPU count, memory, disk, addresses and OS facts. */
export function readMachineInfo(dataDir: string): MachineInfo {
  let ephemeralStorageBytes = 0;
  try {
    const fs = statfsSync(dataDir);
    ephemeralStorageBytes = fs.blocks * fs.bsize;
  } catch {
    ephemeralStorageBytes = 0;
  }
  const goArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };
  return {
    cpus: cpus().length || 1,
    memoryBytes: memoryBytes(),
    ephemeralStorageBytes,
    internalIP: primaryIPv4(),
    hostname: hostname(),
    kernelVersion: release(),
    osImage: osImage(),
    architecture: goArch[arch()] ?? arch(),
    machineID: readOr('/etc/machine-id', ''),
    bootID: readOr('/proc/sys/kernel/random/boot_id', ''),
  };
}
