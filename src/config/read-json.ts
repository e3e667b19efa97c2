import fs from 'node:fs';
import { ConfigError } from './parse.ts';

/** Reads a JSON file given by the user; a missing file or bad JSON is a ConfigError naming `label`. */
export function readJsonFile(file: string, label: string = file): unknown {
  if (!fs.existsSync(file)) throw ConfigError.single(label, `${file === label ? '' : `file ${file} `}does not exist`.trim());
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (cause) {
    throw ConfigError.single(label, `${file === label ? '' : `${file} `}is not valid JSON (${(cause as Error).message})`.trim());
  }
}
