#!/usr/bin/env node
/**
 * Entry point. Loading the program takes a second or more on a busy machine: signals are held from the
 * first line, so Ctrl-C or SIGTERM during that second still ends with a clean exit 0.
 */
// First: V8 settings that must precede the allocations of loading the program.
import './v8-settings.js';
import { holdSignals, signalledEarly } from './shutdown.js';

holdSignals();
const { main } = await import('./program.js');
// Stopped before anything started: nothing to close.
if (signalledEarly()) process.exit(0);
// `serve` and `SOURCE` resolve only once a signal has stopped them cleanly.
process.exit(await main(process.argv));
