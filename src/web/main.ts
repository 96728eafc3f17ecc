/** The UI's entry: one page per route, chosen from `location.pathname` (the server serves the same HTML). */
import { render } from 'preact';
import { HomePage } from './home/home-page.js';
import { html } from './html.js';
import { PlayerPage } from './player/player-page.js';
import { parsePlayerPath } from './urls.js';

const root = document.getElementById('app')!;
root.textContent = '';
const route = parsePlayerPath(location.pathname);
render(
  route ? html`<${PlayerPage} infoHash=${route.infoHash} index=${route.index} />` : html`<${HomePage} />`,
  root,
);
