import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** Which src/ folders each src/ folder may import (docs/architecture.md, "Module map"). */
const MODULE_MAP = {
  errors: [],
  log: ['errors'],
  config: ['errors', 'log'],
  k8s: ['errors'],
  // The repo filesystem: containment, symlinks, bounded reads, the kustomization walk.
  repo: ['k8s', 'errors'],
  exec: ['errors', 'log'],
  request: ['config', 'k8s', 'log'],
  render: ['request', 'repo', 'exec', 'k8s', 'config', 'log', 'errors'],
  sops: ['request', 'repo', 'k8s', 'config', 'log', 'errors'],
  policy: ['request', 'k8s', 'config', 'log', 'errors'],
  gate: ['request', 'render', 'sops', 'policy', 'exec', 'k8s', 'config', 'log', 'errors'],
  // Doors. cmp reads render's source detection and chart values for discover and the parameter
  // announcement; flux reuses sops' encryption markers. Every door asks repo whether a path is inside.
  cmp: ['gate', 'request', 'render', 'repo', 'exec', 'k8s', 'config', 'log', 'errors'],
  flux: ['gate', 'request', 'repo', 'sops', 'k8s', 'config', 'log', 'errors'],
  server: ['gate', 'request', 'policy', 'k8s', 'config', 'log', 'errors'],
  cli: ['cmp', 'flux', 'server', 'gate', 'request', 'render', 'repo', 'sops', 'policy', 'exec', 'k8s', 'config', 'log', 'errors'],
};

export default tseslint.config(
  { ignores: ['dist/**', '.tools/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // The module map of docs/architecture.md, enforced: each folder of src/ may import only the
  // folders listed for it (and itself). Stages never import the core that calls them, the core
  // never imports a door, doors never import each other, and only src/exec starts processes.
  ...Object.entries(MODULE_MAP).map(([folder, allowed]) => ({
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        paths: folder === 'exec' ? [] : [
          { name: 'node:child_process', message: 'start processes through src/exec' },
          { name: 'child_process', message: 'start processes through src/exec' },
          { name: 'execa', message: 'start processes through src/exec' },
        ],
        patterns: Object.keys(MODULE_MAP)
          .filter((other) => other !== folder && !allowed.includes(other))
          .map((other) => ({
            regex: `^(\\.\\./)+${other}(/|$)`,
            message: `src/${folder} may import only ${allowed.join(', ') || 'nothing'} (module map, docs/architecture.md)`,
          })),
      }],
    },
  })),
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
