import { configJsonSchema } from './config/index.js';
import { errorsMarkdown } from './errors/docs.js';
import { policiesMarkdown } from './policy/docs.js';

/** Every generated doc file, by name under docs/; a unit test fails when a committed copy drifts. */
export function generatedDocs(): Record<string, string> {
  return {
    'errors.md': errorsMarkdown(),
    'policies.md': policiesMarkdown(),
    'gateconfig.schema.json': JSON.stringify(configJsonSchema(), null, 2) + '\n',
  };
}
