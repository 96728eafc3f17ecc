/**
 * Over the picture of a file stopped part-way last time: resume there, or start over. Playback starts from
 * the beginning meanwhile, as always; the answer seeks (a progressive stream restarts at `t`, HLS and direct
 * play set `currentTime`). A seek of the viewer's own answers it too: they chose where to be.
 */
import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { formatClock } from '../format.js';
import { html } from '../html.js';

export function useResumeOffer(
  ref: RefObject<HTMLVideoElement | null>,
  /** The browser's own controls (direct play): their seeks reach us only as the element's events. */
  nativeControls: boolean,
  resumeAt: number | null | undefined,
  seek: (seconds: number) => void,
) {
  const [answered, setAnswered] = useState(false);
  const offer = !answered && typeof resumeAt === 'number' ? resumeAt : null;
  useEffect(() => {
    const v = ref.current;
    if (!v || !nativeControls || offer === null) return;
    const onSeeking = () => setAnswered(true);
    v.addEventListener('seeking', onSeeking);
    return () => v.removeEventListener('seeking', onSeeking);
  }, [ref, nativeControls, offer]);
  return {
    /** The time offered, or null when there is no (more) question. */
    offer,
    choose: (seconds: number) => {
      setAnswered(true);
      seek(seconds);
    },
    /** Wraps a seek of the viewer's (seek bar, keys) so that it answers the offer. */
    seeking:
      <A extends unknown[]>(action: (...args: A) => void) =>
      (...args: A) => {
        setAnswered(true);
        action(...args);
      },
  };
}

interface Props {
  at: number;
  /** NaN when unknown. */
  duration: number;
  onChoose: (seconds: number) => void;
}

export function ResumeOffer({ at, duration, onChoose }: Props) {
  const of = duration > 0 ? ` of ${formatClock(duration)}` : '';
  return html`
    <section class="resume-offer" aria-label="Resume">
      <p>You stopped at ${formatClock(at)}${of}.</p>
      <div class="resume-actions">
        <button type="button" class="primary" onClick=${() => onChoose(at)}>
          Resume at ${formatClock(at)}
        </button>
        <button type="button" class="secondary" onClick=${() => onChoose(0)}>Start over</button>
      </div>
    </section>
  `;
}
