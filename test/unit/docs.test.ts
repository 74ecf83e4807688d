import { readFileSync } from 'node:fs';
import { generatedDocs } from '../../src/docs.js';

describe('generated docs', () => {
  test.each(Object.entries(generatedDocs()))('docs/%s matches the registry (run `npm run docs`)', (name, text) => {
    expect(readFileSync(`docs/${name}`, 'utf8')).toBe(text);
  });
});
