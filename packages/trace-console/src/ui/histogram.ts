/**
 * Response-time distribution: bars of trace counts per duration bucket, coloured by the
 * worst class in the bucket's stack (ok/error/throttle/fault stacked). Dragging across it
 * selects a range, handed to `onSelect` in seconds.
 */
import { h, s } from './dom.ts';
import { duration, health, type Health } from './format.ts';

const W = 1000;
const H = 80;
const BINS = 50;
const order: Health[] = ['ok', 'error', 'throttle', 'fault'];

/** A histogram that can be refreshed with new values. */
export interface Histogram {
  /** The bars (SVG, stretched to the width) and the axis (HTML, so its text is never stretched). */
  el: HTMLElement;
  update(values: readonly { duration: number; error: boolean; fault: boolean; throttle: boolean }[]): void;
}

/** Creates the histogram; `onSelect(lo, hi)` after a drag (seconds; hi is Infinity when the drag reached past the scale). */
export function histogram(onSelect: (lo: number, hi: number) => void): Histogram {
  const bars = s('g');
  const axis = h('div', { class: 'histogram-axis' });
  const brush = s('rect', { class: 'brush', y: 0, height: H, width: 0, visibility: 'hidden' });
  const svg = s('svg', { class: 'histogram', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': 'Response time distribution; drag to filter' }, bars, brush);
  const el = h('div', { class: 'histogram-box' }, svg, axis);
  let max = 1;
  let overflow = false;

  const fraction = (ev: PointerEvent) => {
    const r = svg.getBoundingClientRect();
    return Math.max(0, Math.min(1, (ev.clientX - r.left) / r.width));
  };
  let startX: number | null = null;
  svg.addEventListener('pointerdown', (ev) => {
    startX = fraction(ev);
    svg.setPointerCapture(ev.pointerId);
    brush.setAttribute('x', String(startX * W));
    brush.setAttribute('width', '0');
    brush.setAttribute('visibility', 'visible');
  });
  svg.addEventListener('pointermove', (ev) => {
    if (startX === null) return;
    const x = fraction(ev);
    brush.setAttribute('x', String(Math.min(startX, x) * W));
    brush.setAttribute('width', String(Math.abs(x - startX) * W));
  });
  svg.addEventListener('pointerup', (ev) => {
    if (startX === null) return;
    const x = fraction(ev);
    const [a, b] = [Math.min(startX, x), Math.max(startX, x)];
    startX = null;
    brush.setAttribute('visibility', 'hidden');
    if (b - a > 0.005) onSelect(round(a * max), b > 0.99 && overflow ? Infinity : round(b * max));
  });

  return {
    el,
    update(values) {
      const sorted = values.map((v) => v.duration).sort((a, b) => a - b);
      // One slow outlier must not squash the rest: the scale ends at 1.5 × p99, the last bar takes the overflow.
      const top99 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] : 0;
      max = Math.min(sorted[sorted.length - 1] ?? 0, top99 * 1.5);
      max = max > 0 ? max * 1.02 : 1;
      overflow = (sorted[sorted.length - 1] ?? 0) > max;
      const counts = Array.from({ length: BINS }, () => ({ ok: 0, error: 0, throttle: 0, fault: 0 }));
      for (const v of values) counts[Math.min(BINS - 1, Math.floor((v.duration / max) * BINS))][health(v)]++;
      let top = 1;
      for (const c of counts) top = Math.max(top, c.ok + c.error + c.throttle + c.fault);
      const bw = W / BINS;
      const rects: SVGElement[] = [];
      counts.forEach((c, i) => {
        let y = H;
        for (const k of order) {
          if (c[k] === 0) continue;
          const bh = Math.max(1, (c[k] / top) * (H - 4));
          y -= bh;
          rects.push(s('rect', { class: `bar ${k}`, x: i * bw + 1, y, width: bw - 2, height: bh }, s('title', {}, `${duration((i / BINS) * max)}–${duration(((i + 1) / BINS) * max)}: ${c[k]} ${k}`)));
        }
      });
      bars.replaceChildren(...rects);
      axis.replaceChildren(...[0, 0.25, 0.5, 0.75, 1].map((f) => h('span', {}, f === 0 ? '0' : `${duration(f * max)}${f === 1 && overflow ? '+' : ''}`)));
    },
  };
}

/** Three significant digits: filters read better than 0.123456789. */
function round(seconds: number): number {
  return Number(seconds.toPrecision(3));
}
