// Copies non-TypeScript assets (proto files) next to the compiled code and marks the CLI executable.
import { chmodSync, cpSync, existsSync } from 'node:fs';

for (const dir of ['cmp/proto']) {
  if (existsSync(`src/${dir}`)) cpSync(`src/${dir}`, `dist/${dir}`, { recursive: true });
}
chmodSync('dist/cli/main.js', 0o755);
