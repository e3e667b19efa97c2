// Every code block of the README and the guides is checked: a TypeScript block is an example file,
// verbatim (named by an `<!-- example: PATH -->` line above it; the examples run in
// test/examples/examples.test.ts and test/envs/check-env.test.ts), and every `wnrl` command of a shell
// block names a real command and flags that command's --help lists; `npm run X` names a script.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { capture } from '../helpers/capture.ts';

const root = path.resolve(import.meta.dirname, '../..');
const docs = ['README.md', ...fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f))];

interface Block {
  lang: string;
  code: string;
  line: number;
  /** The example file named on the line before the fence, if any. */
  example: string | null;
}

function blocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    const marker = i > 0 ? /^<!-- example: (\S+) -->$/.exec(lines[i - 1]!) : null;
    out.push({ lang: open[1]!, code: `${lines.slice(i + 1, end).join('\n')}\n`, line: i + 1, example: marker?.[1] ?? null });
    i = end;
  }
  return out;
}

const helpCache = new Map<string, string | null>();
/** `wnrl <command> --help`, or null for an unknown command. */
async function help(command: string): Promise<string | null> {
  if (!helpCache.has(command)) {
    const { io, chunks } = capture();
    const code = await main([command, '--help'], io);
    helpCache.set(command, code === 0 ? chunks.out + chunks.err : null);
  }
  return helpCache.get(command)!;
}

const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);

test.each(docs)('%s: every TypeScript block is an example file verbatim; every wnrl command and flag exists', async (doc) => {
  const problems: string[] = [];
  for (const b of blocks(fs.readFileSync(path.join(root, doc), 'utf8'))) {
    if (b.lang === 'ts') {
      if (b.example === null) problems.push(`line ${b.line}: a ts block without an <!-- example: PATH --> line`);
      else if (!fs.existsSync(path.join(root, b.example))) problems.push(`line ${b.line}: ${b.example} does not exist`);
      else if (fs.readFileSync(path.join(root, b.example), 'utf8') !== b.code) problems.push(`line ${b.line}: differs from ${b.example}`);
      continue;
    }
    if (b.lang !== 'sh') continue;
    for (const raw of b.code.split('\n')) {
      for (const part of raw.replace(/\s#.*$/, '').split('&&')) {
        const words = part.trim().split(/\s+/);
        if (words[0] === 'npx' && words[1] === 'wnrl') words.shift();
        if (words[0] === 'npm' && words[1] === 'run' && !scripts.includes(words[2]!.replace(/^-s$/, words[3] ?? ''))) problems.push(`line ${b.line}: npm run ${words[2]}: no such script`);
        if (words[0] !== 'wnrl') continue;
        const command = words[1]!;
        const text = await help(command);
        if (text === null) {
          problems.push(`line ${b.line}: wnrl ${command}: no such command`);
          continue;
        }
        for (const flag of words.filter((w) => w.startsWith('--'))) {
          const name = flag.split('=')[0]!;
          if (!text.includes(name)) problems.push(`line ${b.line}: wnrl ${command} ${name}: not in its --help`);
        }
      }
    }
  }
  expect(problems).toEqual([]);
});
