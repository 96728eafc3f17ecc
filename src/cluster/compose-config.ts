#!/usr/bin/env node
/**
 * Prints the nginx config of deploy/compose.yaml: the cluster's template rendered for compose host names
 * (node1, node2...). `npm run --silent deploy:nginx -- --nodes N > deploy/nginx/compose.conf` after changing
 * the number of nodes there.
 */
import { Command, InvalidArgumentError } from 'commander';
import { composeFront, renderNginxConfig } from './nginx-config.js';

const program = new Command('deploy:nginx')
  .option(
    '--nodes <n>',
    'how many nodes compose.yaml runs',
    (value) => {
      if (!/^[1-9]\d{0,2}$/.test(value)) throw new InvalidArgumentError('expected a node count');
      return Number(value);
    },
    3,
  )
  .parse();
process.stdout.write(renderNginxConfig(composeFront(program.opts<{ nodes: number }>().nodes)));
