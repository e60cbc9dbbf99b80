/**
 * Fits an SVG drawing to its container and lets the user zoom (wheel, +/−) and pan (drag),
 * by changing the viewBox only: the drawing keeps its own coordinates, clicks on nodes and
 * edges still land. A small graph is not blown up past `maxScale`.
 */
import { h } from './dom.ts';

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Wraps `svg` in a pan-and-zoom viewport with Fit / + / − buttons; returns the wrapper. */
export function panZoom(svg: SVGSVGElement, options: { maxScale?: number } = {}): HTMLElement {
  const content: Box = (() => {
    const [x, y, w, hh] = (svg.getAttribute('viewBox') ?? '0 0 100 100').split(' ').map(Number);
    return { x: x!, y: y!, w: w!, h: hh! };
  })();
  const maxScale = options.maxScale ?? 1.5;
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  svg.setAttribute('preserveAspectRatio', 'xMidYMid meet');
  svg.classList.add('fitted');
  let view: Box = { ...content };
  const set = (b: Box) => {
    view = b;
    svg.setAttribute('viewBox', `${b.x.toFixed(1)} ${b.y.toFixed(1)} ${b.w.toFixed(1)} ${b.h.toFixed(1)}`);
    wrapper.dataset.zoom = (content.w / b.w).toFixed(2);
  };
  /** The whole drawing, centred, at most maxScale times its natural size. */
  const fit = () => {
    const rect = wrapper.getBoundingClientRect();
    const cw = rect.width || content.w;
    const ch = rect.height || content.h;
    // The viewBox keeps the container's aspect ratio, so "meet" fills it edge to edge.
    const scale = Math.min(maxScale, cw / content.w, ch / content.h);
    const w = cw / scale;
    const hh = ch / scale;
    set({ x: content.x + (content.w - w) / 2, y: content.y + (content.h - hh) / 2, w, h: hh });
  };
  /** Zooms by `factor` (>1 closer) around a point in drawing coordinates. */
  const zoom = (factor: number, at?: { x: number; y: number }) => {
    const c = at ?? { x: view.x + view.w / 2, y: view.y + view.h / 2 };
    const w = Math.min(content.w * 20, Math.max(content.w / 20, view.w / factor));
    const k = w / view.w;
    set({ x: c.x - (c.x - view.x) * k, y: c.y - (c.y - view.y) * k, w, h: view.h * k });
  };
  const toDrawing = (ev: { clientX: number; clientY: number }) => {
    const rect = svg.getBoundingClientRect();
    return { x: view.x + ((ev.clientX - rect.left) / rect.width) * view.w, y: view.y + ((ev.clientY - rect.top) / rect.height) * view.h };
  };
  const controls = h(
    'div',
    { class: 'zoom-controls' },
    h('button', { type: 'button', 'aria-label': 'Zoom in', title: 'Zoom in', onclick: () => zoom(1.25) }, '+'),
    h('button', { type: 'button', 'aria-label': 'Zoom out', title: 'Zoom out', onclick: () => zoom(0.8) }, '−'),
    h('button', { type: 'button', 'aria-label': 'Fit to view', title: 'Fit to view', onclick: () => fit() }, 'Fit'),
  );
  const wrapper = h('div', { class: 'pan-zoom' }, svg, controls);
  wrapper.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    zoom(ev.deltaY < 0 ? 1.15 : 1 / 1.15, toDrawing(ev));
  }, { passive: false });
  let drag: { x: number; y: number; view: Box; moved: boolean } | undefined;
  svg.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0) return;
    drag = { x: ev.clientX, y: ev.clientY, view: { ...view }, moved: false };
  });
  addEventListener('pointermove', (ev) => {
    if (!drag) return;
    const rect = svg.getBoundingClientRect();
    const dx = ((ev.clientX - drag.x) / rect.width) * drag.view.w;
    const dy = ((ev.clientY - drag.y) / rect.height) * drag.view.h;
    if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 3) drag.moved = true;
    if (drag.moved) {
      wrapper.classList.add('panning');
      set({ ...drag.view, x: drag.view.x - dx, y: drag.view.y - dy });
    }
  });
  addEventListener('pointerup', () => {
    if (drag?.moved) {
      // The click that ends a drag must not open the node under the pointer.
      addEventListener('click', (ev) => ev.stopPropagation(), { capture: true, once: true });
    }
    drag = undefined;
    wrapper.classList.remove('panning');
  });
  // Fit once the wrapper is laid out, and again when the container changes size.
  new ResizeObserver(() => fit()).observe(wrapper);
  requestAnimationFrame(fit);
  return wrapper;
}
