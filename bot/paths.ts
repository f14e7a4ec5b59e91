import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project folder (where package.json is), whether running from TypeScript sources or from dist/. */
export function projectRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${from}`);
    dir = parent;
  }
  return dir;
}
