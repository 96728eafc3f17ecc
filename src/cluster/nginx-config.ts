/**
 * The nginx front's configuration: deploy/nginx/streamtide.conf.template, rendered for `npm run cluster`
 * (loopback nodes, files under the cluster's folder) or for deploy/compose.yaml (compose host names, logs
 * on the container's stdout/stderr). One template, so both run the same routing and proxy settings.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const templatePath = fileURLToPath(
  new URL('../../deploy/nginx/streamtide.conf.template', import.meta.url),
);

export interface FrontSettings {
  /** nginx's `listen` argument: `127.0.0.1:8080`, or a bare port in a container. */
  listen: string;
  /** Each node as nginx's `server` takes it: `127.0.0.1:8081`, `node1:8977`. Their order is the ring's. */
  nodes: string[];
  workerProcesses: string;
  errorLog: string;
  accessLog: string;
  /** A `user` directive, or '' to keep nginx's default. */
  user: string;
}

export function renderNginxConfig(
  settings: FrontSettings,
  template = readFileSync(templatePath, 'utf8'),
): string {
  if (settings.nodes.length === 0) throw new Error('a front needs at least one node');
  const values: Record<string, string> = {
    listen: settings.listen,
    workerProcesses: settings.workerProcesses,
    errorLog: settings.errorLog,
    accessLog: settings.accessLog,
    user: settings.user,
  };
  const lines = template
    .split('\n')
    .flatMap((line) =>
      line.includes('{{node}}') ? settings.nodes.map((node) => line.replaceAll('{{node}}', node)) : [line],
    );
  const origin =
    '# Rendered from deploy/nginx/streamtide.conf.template by src/cluster/nginx-config.ts: edit that.';
  return [origin, ...lines].join('\n').replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`the nginx template names an unknown value {{${name}}}`);
    return value;
  });
}

/** The front of `npm run cluster`: nginx on 127.0.0.1:port, its logs under its prefix. */
export function clusterFront(port: number, nodePorts: number[], runningAsRoot: boolean): FrontSettings {
  return {
    listen: `127.0.0.1:${port}`,
    nodes: nodePorts.map((nodePort) => `127.0.0.1:${nodePort}`),
    // Loopback for one user: one worker is plenty, and the machine is shared with the nodes' FFmpeg.
    workerProcesses: '1',
    errorLog: 'logs/error.log',
    accessLog: 'logs/access.log',
    // Started by root, nginx's workers would run as nobody, who may not enter the cluster's folder.
    user: runningAsRoot ? 'user root;' : '',
  };
}

/** The host name of compose node `index` (1-based), as deploy/compose.yaml names its services. */
export const composeNode = (index: number) => `node${index}:8977`;

/** The front of deploy/compose.yaml: nginx in its container on port 8080, logging to the container's output. */
export function composeFront(nodes: number): FrontSettings {
  return {
    listen: '8080',
    nodes: Array.from({ length: nodes }, (_, i) => composeNode(i + 1)),
    workerProcesses: 'auto',
    errorLog: 'stderr',
    accessLog: '/dev/stdout',
    user: '',
  };
}
