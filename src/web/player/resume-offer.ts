/** Before playing a file stopped part-way: resume where it stopped, or start over. */
import { useEffect, useRef } from 'preact/hooks';
import { formatClock } from '../format.js';
import { html } from '../html.js';

interface Props {
  at: number;
  duration: number | undefined;
  onChoose: (start: number) => void;
}

export function ResumeOffer({ at, duration, onChoose }: Props) {
  const resume = useRef<HTMLButtonElement>(null);
  // Enter (or space) resumes at once, as the likelier wish.
  useEffect(() => resume.current?.focus(), []);
  const of = duration ? ` of ${formatClock(duration)}` : '';
  return html`
    <section class="panel resume-offer" aria-label="Resume">
      <p>You stopped at ${formatClock(at)}${of}.</p>
      <div class="resume-actions">
        <button type="button" class="primary" ref=${resume} onClick=${() => onChoose(at)}>
          Resume at ${formatClock(at)}
        </button>
        <button type="button" class="secondary" onClick=${() => onChoose(0)}>Start over</button>
      </div>
    </section>
  `;
}
