/**
 * The subtitle text Chromium actually paints over a `<video>`: its cue boxes live in the element's
 * user-agent shadow root, which page scripts cannot see, so this reads the DOM through DevTools with
 * shadow roots pierced.
 */
import type { Page } from 'playwright-core';

interface DomNode {
  nodeType: number;
  nodeName: string;
  nodeValue?: string;
  attributes?: string[];
  children?: DomNode[];
  shadowRoots?: DomNode[];
  pseudoElements?: DomNode[];
}

function textOf(node: DomNode): string {
  if (node.nodeType === 3) return node.nodeValue ?? '';
  return [...(node.shadowRoots ?? []), ...(node.children ?? [])].map(textOf).join('');
}

function pseudoOf(node: DomNode): string | undefined {
  const attrs = node.attributes ?? [];
  const i = attrs.indexOf('pseudo');
  return i >= 0 ? attrs[i + 1] : undefined;
}

/** Texts of the cue boxes shown over the page's first `<video>` (empty when none is painted). */
export async function paintedCues(page: Page): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    const cues: string[] = [];
    const walk = (node: DomNode, inVideo: boolean) => {
      const here = inVideo || node.nodeName === 'VIDEO';
      if (here && pseudoOf(node) === '-webkit-media-text-track-display') {
        const text = textOf(node).trim();
        if (text) cues.push(text);
        return;
      }
      for (const child of [...(node.shadowRoots ?? []), ...(node.children ?? [])]) walk(child, here);
    };
    walk(root, false);
    return cues;
  } finally {
    await cdp.detach().catch(() => {});
  }
}
