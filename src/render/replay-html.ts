// `wnrl render --out FILE.html`: one self-contained page that replays recorded episodes frame by frame
// (play, pause, step, scrub), with what the policy made of each frame underneath: the return so far, the
// action chosen, the action probabilities (or Gaussian mean, or Q-values) and the value estimate. Frames
// are embedded as single-frame GIFs (flat colours compress well), so the file needs nothing beside it.
import { encodeGif } from './gif.ts';
import type { ReplayStep } from './record.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function replayHtml(steps: readonly ReplayStep[], title: string, fps: number): string {
  if (steps.length === 0) throw new RangeError('replayHtml: no steps');
  // identical consecutive frames (an episode's end repeats its last picture) share one image
  const images: string[] = [];
  const index: number[] = [];
  for (const s of steps) {
    if (images.length === 0 || s.frame !== steps[index.length - 1]!.frame) images.push(Buffer.from(encodeGif([s.frame], 0)).toString('base64'));
    index.push(images.length - 1);
  }
  const data = steps.map((s, i) => ({ img: index[i], ep: s.episode, t: s.t, ret: Number(s.returnSoFar.toFixed(4)), a: s.action, ins: s.inspection === null ? null : { k: s.inspection.kind, o: s.inspection.outputs.map((x) => Number(x.toPrecision(5))), v: s.inspection.value === null ? null : Number(s.inspection.value.toPrecision(5)) } }));
  const { width, height } = steps[0]!.frame;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 2em; color: #222; }
  img { border: 1px solid #ccc; display: block; margin: 1em 0; width: ${width}px; height: ${height}px; image-rendering: pixelated; }
  input[type=range] { width: ${width}px; }
  table { border-collapse: collapse; } td { padding: 2px 12px 2px 0; } td:first-child { color: #666; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<div><button id="play">play</button> <button id="back">&lt; step</button> <button id="fwd">step &gt;</button> <span id="pos"></span></div>
<input id="scrub" type="range" min="0" max="${steps.length - 1}" value="0">
<img id="frame" alt="the env at this step">
<table>
  <tr><td>episode</td><td id="episode"></td></tr>
  <tr><td>step</td><td id="step"></td></tr>
  <tr><td>return so far</td><td id="return"></td></tr>
  <tr><td>action</td><td id="action"></td></tr>
  <tr><td id="outputs-label">policy</td><td id="outputs"></td></tr>
  <tr><td>value estimate</td><td id="value"></td></tr>
</table>
<script>
const IMAGES = ${JSON.stringify(images)};
const STEPS = ${JSON.stringify(data)};
const FPS = ${fps};
const $ = (id) => document.getElementById(id);
const LABELS = { probabilities: 'action probabilities', mean: 'Gaussian mean', q: 'Q-values' };
let i = 0, timer = null;
function show(k) {
  i = Math.max(0, Math.min(STEPS.length - 1, k));
  const s = STEPS[i];
  $('frame').src = 'data:image/gif;base64,' + IMAGES[s.img];
  $('scrub').value = String(i);
  $('pos').textContent = (i + 1) + ' / ' + STEPS.length;
  $('episode').textContent = s.ep;
  $('step').textContent = s.t;
  $('return').textContent = s.ret;
  $('action').textContent = s.a === null ? (s.ins === null && i > 0 ? 'episode over' : '-') : s.a.join(', ');
  $('outputs-label').textContent = s.ins ? LABELS[s.ins.k] : 'policy';
  $('outputs').textContent = s.ins ? s.ins.o.join(', ') : '-';
  $('value').textContent = s.ins && s.ins.v !== null ? s.ins.v : '-';
  document.body.dataset.position = String(i);
}
function pause() { clearInterval(timer); timer = null; $('play').textContent = 'play'; }
function play() {
  if (timer !== null) return pause();
  if (i >= STEPS.length - 1) show(0);
  $('play').textContent = 'pause';
  timer = setInterval(() => (i >= STEPS.length - 1 ? pause() : show(i + 1)), 1000 / FPS);
}
$('play').addEventListener('click', play);
$('back').addEventListener('click', () => { pause(); show(i - 1); });
$('fwd').addEventListener('click', () => { pause(); show(i + 1); });
$('scrub').addEventListener('input', () => { pause(); show(Number($('scrub').value)); });
show(0);
</script>
</body>
</html>
`;
}
