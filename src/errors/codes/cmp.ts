import type { CodeSpec } from './types.js';

/** Codes of src/cmp: the Argo CD adapter (plugin.yaml, parameters, discovery, stream, gRPC). */
export const cmpCodes = {
  CMP_PLUGIN_CONFIG_NOT_FOUND: { kind: 'config', description: 'plugin.yaml does not exist or cannot be read' },
  CMP_PLUGIN_CONFIG_INVALID: {
    kind: 'config',
    description: 'plugin.yaml is not valid: not YAML, a field has the wrong type, or metadata.name, kind ConfigManagementPlugin or spec.generate.command is missing',
  },
  CMP_PARAMETERS_INVALID: {
    kind: 'usage',
    description: 'ARGOCD_APP_PARAMETERS (or a PARAM_*/ARGOCD_ENV_*/--param value) is malformed or names an unknown parameter',
  },
  CMP_DISCOVER_FAILED: { kind: 'runtime', description: 'the discover.find.command of plugin.yaml failed' },
  CMP_PARAMETERS_ANNOUNCE_FAILED: {
    kind: 'runtime',
    description: 'the parameters.dynamic command of plugin.yaml failed or did not print a JSON array of parameter announcements',
  },
  // gRPC stream ingest and the native server (src/cmp/stream.ts, extract.ts, server.ts)
  CMP_METADATA_MISSING: { kind: 'usage', description: 'the first message of a CMP stream was not the request metadata' },
  CMP_STREAM_INVALID: { kind: 'usage', description: 'a CMP stream message after the metadata was not a file chunk' },
  CMP_CHECKSUM_MISMATCH: { kind: 'usage', description: 'the sha256 of the received repo tarball differs from the checksum in the metadata' },
  CMP_STREAM_TOO_LARGE: { kind: 'runtime', description: 'the received repo tarball, or its extracted content, exceeds limits.repoBytes' },
  CMP_STREAM_IDLE: { kind: 'runtime', description: 'a CMP stream sent nothing for limits.uploadIdleTimeout; the half-received repo was dropped' },
  CMP_TOO_MANY_FILES: { kind: 'runtime', description: 'the received repo extracts to more entries (files, directories, symlinks) than limits.repoFiles' },
  CMP_FILE_TOO_LARGE: { kind: 'runtime', description: 'a file of the received repo is larger than limits.fileBytes' },
  CMP_PATH_TOO_DEEP: { kind: 'runtime', description: 'an entry of the received repo has more path components than limits.pathDepth, or a path longer than 4096 bytes' },
  CMP_ARCHIVE_INVALID: { kind: 'usage', description: 'the received repo tarball is not a valid gzip-compressed tar archive' },
  CMP_ILLEGAL_PATH: { kind: 'usage', description: 'a tar entry is absolute, contains `..` or resolves through a symlink out of the repository' },
  CMP_ILLEGAL_SYMLINK: { kind: 'usage', description: 'a tar symlink entry points outside the repository (or has an absolute target)' },
  CMP_ILLEGAL_ENTRY: { kind: 'usage', description: 'a tar entry is a hard link, device or FIFO, which a repository never needs' },
  CMP_APP_PATH_OUT_OF_BOUNDS: { kind: 'usage', description: 'the appRelPath of the request resolves outside the received repository' },
  CMP_QUEUE_FULL: {
    kind: 'runtime',
    description: 'the native sidecar has limits.concurrency + limits.queue requests in flight, or their repos fill the work dir budget (concurrency × (repoBytes + repoFiles × 4 KiB))',
  },
  CMP_SOCKET_BIND_FAILED: { kind: 'config', description: 'the native sidecar could not bind its unix socket in the plugins dir' },
} as const satisfies Record<string, CodeSpec>;
