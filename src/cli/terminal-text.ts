/** Names printed in a terminal: the CLI's word for catalog/display-name.ts (one rule for every screen). */
export { displayName as terminalSafe } from '../catalog/display-name.js';
