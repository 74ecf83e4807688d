import { SyncgateError } from '../errors/index.js';
import { DEFAULT_LIMITS, parseResources, type Resource } from '../k8s/index.js';

const SEPARATOR = /^---(?:\s.*)?$/;
const SOURCE = /^# Source: (.+?)\s*$/m;

/**
 * Parses `helm template` output, naming each object by the template file helm prints in its
 * `# Source:` comment (e.g. `app/templates/deployment.yaml`), so errors point at the template.
 */
export function parseHelmOutput(text: string, fallback: string): Resource[] {
  const out: Resource[] = [];
  let source = fallback;
  let chunk: string[] = [];
  let docs = 0;
  const flush = (): void => {
    const body = chunk.join('\n');
    chunk = [];
    const m = SOURCE.exec(body);
    if (m?.[1]) source = m[1];
    if (body.trim() === '') return;
    if (++docs > DEFAULT_LIMITS.maxDocuments) throw new SyncgateError('LIMIT_EXCEEDED', `${fallback}: more than ${DEFAULT_LIMITS.maxDocuments} documents`);
    for (const r of parseResources(body, source)) out.push(r);
  };
  for (const line of text.split('\n')) {
    if (SEPARATOR.test(line)) flush();
    else chunk.push(line);
  }
  flush();
  return out;
}
