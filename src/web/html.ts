/** htm bound to Preact: tagged templates instead of JSX, so the UI needs no JSX compile step. */
import htm from 'htm';
import { h, type VNode } from 'preact';

export const html = htm.bind(h) as (strings: TemplateStringsArray, ...values: unknown[]) => VNode;
