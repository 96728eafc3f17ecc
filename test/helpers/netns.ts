/**
 * A network namespace a test makes and deletes itself, so multicast (SSDP's 239.255.255.250:1900, mDNS) never
 * leaves the machine: loopback with multicast on, plus a veth pair whose two ends both live inside (UPnP
 * stacks such as gmediarender's refuse loopback). Needs root and `ip` (iproute2): `netnsSupport()` says why
 * not, for a skip message.
 */
import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface Netns {
  name: string;
  /** The veth ends' addresses, both inside the namespace. */
  a: string;
  b: string;
  /** Spawns a command inside the namespace. */
  spawn(cmd: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** Runs a command inside the namespace to completion. */
  run(cmd: string, args: string[]): { status: number | null; stdout: string; stderr: string };
  delete(): void;
}

/** Undefined when namespaces can be made here; otherwise the reason, for `skip`. */
export function netnsSupport(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  if (spawnSync('ip', ['-V']).status !== 0) return '`ip` (iproute2) is not installed';
  const probe = `st-probe-${randomBytes(3).toString('hex')}`;
  const made = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (made.status !== 0) return `cannot make a network namespace: ${made.stderr.trim()}`;
  spawnSync('ip', ['netns', 'delete', probe]);
  return undefined;
}

export function createNetns(): Netns {
  const name = `st-${process.pid}-${randomBytes(3).toString('hex')}`;
  const subnet = `10.${200 + (process.pid % 50)}.${randomBytes(1)[0]! % 250}`;
  const [a, b] = [`${subnet}.1`, `${subnet}.2`];
  ip(['netns', 'add', name]);
  try {
    const inside = (args: string[]) => ip(['-n', name, ...args]);
    inside(['link', 'set', 'lo', 'up']);
    inside(['link', 'set', 'lo', 'multicast', 'on']);
    inside(['link', 'add', 'st0', 'type', 'veth', 'peer', 'name', 'st1']);
    inside(['addr', 'add', `${a}/24`, 'dev', 'st0']);
    inside(['addr', 'add', `${b}/24`, 'dev', 'st1']);
    inside(['link', 'set', 'st0', 'up']);
    inside(['link', 'set', 'st1', 'up']);
    // Multicast goes out of the veth end (so the other end hears it), never anywhere else: this namespace
    // has no other link.
    inside(['route', 'add', '239.0.0.0/8', 'dev', 'st0']);
    // Both ends' addresses are local here: without these the kernel drops what crosses the pair as martian.
    for (const conf of ['all', 'st0', 'st1']) {
      sysctl(name, `net.ipv4.conf.${conf}.accept_local=1`);
      sysctl(name, `net.ipv4.conf.${conf}.rp_filter=0`);
    }
  } catch (err) {
    spawnSync('ip', ['netns', 'delete', name]);
    throw err;
  }
  return {
    name,
    a,
    b,
    spawn: (cmd, args, options = {}) => spawn('ip', ['netns', 'exec', name, cmd, ...args], options),
    run: (cmd, args) => {
      const result = spawnSync('ip', ['netns', 'exec', name, cmd, ...args], { encoding: 'utf8' });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    // Processes still inside keep the namespace alive: callers stop theirs (by PID) first.
    delete: () => void spawnSync('ip', ['netns', 'delete', name]),
  };
}

function sysctl(name: string, setting: string): void {
  const result = spawnSync('ip', ['netns', 'exec', name, 'sysctl', '-qw', setting], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`sysctl ${setting}: ${result.stderr.trim()}`);
}

function ip(args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.trim()}`);
}
