import type { CodeSpec } from './types.js';

/** Codes of the shared plumbing: config, exec, k8s codec, gate, cli. */
export const coreCodes = {
  CONFIG_INVALID: { kind: 'config', description: 'the platform config file does not match the GateConfig schema' },
  CONFIG_NOT_FOUND: { kind: 'config', description: 'the platform config file named by --config does not exist or cannot be read' },
  CONFIG_LIMITS_UNFIT: {
    kind: 'config',
    description: 'limits.concurrency × (repoBytes + repoFiles × 4 KiB) does not fit the free space of the work dir, or (memory-backed work dir) the memory limit',
  },
  USAGE_INVALID: { kind: 'usage', description: 'a command-line argument or flag is malformed, unknown or missing' },
  USAGE_PATH_NOT_FOUND: {
    kind: 'usage',
    description: 'a path given on the command line (an app directory, a scan input, --repo-root) does not exist or is not a directory',
  },
  EXEC_TIMEOUT: { kind: 'runtime', description: 'a render tool did not finish before the request deadline; its process group was killed' },
  EXEC_CANCELLED: { kind: 'runtime', description: 'the caller cancelled the request; the render tool process group was killed' },
  EXEC_FAILED: { kind: 'runtime', description: 'a render tool exited non-zero or was killed by a signal' },
  EXEC_OUTPUT_LIMIT: { kind: 'runtime', description: 'a render tool wrote more output than the configured limit' },
  EXEC_TOOL_MISSING: { kind: 'runtime', description: 'a required tool binary (helm, kustomize) is not installed' },
  K8S_YAML_INVALID: { kind: 'runtime', description: 'a manifest file, tool output or webhook body is not YAML/JSON that Kubernetes reads (sigs.k8s.io/yaml rules); names the file, document, line and column' },
  K8S_OBJECT_INVALID: { kind: 'runtime', description: 'a document lacks apiVersion, kind or metadata.name, or is not a mapping' },
  K8S_DUPLICATE_OBJECT: { kind: 'runtime', description: 'two rendered objects share the same Kind/namespace/name identity' },
  LIMIT_EXCEEDED: { kind: 'runtime', description: 'a configured limit (manifest bytes, resource count) or a parse bound (bytes, 100,000 documents, 500 levels of nesting, alias expansion) was exceeded' },
  INTERNAL: { kind: 'runtime', description: 'an unexpected internal error; the render was refused' },
} as const satisfies Record<string, CodeSpec>;
