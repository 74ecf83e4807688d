import type { Resource } from '../k8s/index.js';
import { renderDirectory } from './directory.js';
import type { RenderInput } from './types.js';

/** Detects the app type and renders it to resources. */
export async function render(input: RenderInput): Promise<Resource[]> {
  return renderDirectory(input);
}
