// Every relative link in the project's documentation resolves: the file exists, and a #fragment names a
// heading of the target (GitHub's anchor rules: lower case, punctuation dropped, spaces to hyphens,
// repeats numbered -1, -2, ...). External links (http:, mailto:) are not fetched.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

/** The Markdown files a reader navigates: READMEs, guides and the committed reports. */
function documents(): string[] {
  const out = ['README.md', 'bench/README.md', 'experiments/study/README.md'];
  const docs = path.join(root, 'docs');
  if (fs.existsSync(docs)) for (const f of fs.readdirSync(docs)) if (f.endsWith('.md')) out.push(path.join('docs', f));
  const results = path.join(root, 'experiments/results');
  for (const d of fs.readdirSync(results)) if (fs.existsSync(path.join(results, d, 'report.md'))) out.push(path.join('experiments/results', d, 'report.md'));
  return out.filter((f) => fs.existsSync(path.join(root, f)));
}

/** GitHub's heading anchors of a Markdown text. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const slug = m[1]!
      .toLowerCase()
      .replace(/<[^>]*>/g, '')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** [text](target) links outside code, with their line numbers. */
function links(markdown: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  let fenced = false;
  markdown.split('\n').forEach((line, i) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) return;
    const text = line.replace(/`[^`]*`/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push({ target: m[1]!, line: i + 1 });
  });
  return out;
}

test('GitHub anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered', () => {
  expect([...anchors('# Two commands\n## Use `wnrl` in your project\n### Tuning stage, robustness curves\n## Two commands\n```\n# not a heading\n```')]).toEqual([
    'two-commands',
    'use-wnrl-in-your-project',
    'tuning-stage-robustness-curves',
    'two-commands-1',
  ]);
});

test.each(documents())('%s: every relative link and anchor resolves', (doc) => {
  const text = fs.readFileSync(path.join(root, doc), 'utf8');
  const broken: string[] = [];
  for (const { target, line } of links(text)) {
    if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
    const [file, fragment] = target.split('#') as [string, string | undefined];
    const resolved = file === '' ? path.join(root, doc) : path.resolve(path.dirname(path.join(root, doc)), decodeURIComponent(file));
    if (!fs.existsSync(resolved)) {
      broken.push(`line ${line}: ${target} (no such file)`);
      continue;
    }
    if (fragment && resolved.endsWith('.md') && !anchors(fs.readFileSync(resolved, 'utf8')).has(fragment)) broken.push(`line ${line}: ${target} (no heading #${fragment})`);
  }
  expect(broken).toEqual([]);
});
