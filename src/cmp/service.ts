import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** `plugin.EnvEntry`. */
export interface EnvEntry {
  name: string;
  value: string;
}

/** `plugin.ManifestRequestMetadata`: the first message of every stream. */
export interface ManifestRequestMetadata {
  appName: string;
  appRelPath: string;
  checksum: string;
  size: number;
  env: EnvEntry[];
}

/** `plugin.AppStreamRequest` as decoded by proto-loader (`oneofs: true` sets `request`). */
export interface AppStreamRequest {
  metadata?: ManifestRequestMetadata | null;
  file?: { chunk: Buffer } | null;
  request?: 'metadata' | 'file';
}

/** `repository.ParameterAnnouncement`. */
export interface ParameterAnnouncement {
  name?: string;
  title?: string;
  tooltip?: string;
  required?: boolean;
  itemType?: string;
  collectionType?: string;
  string?: string;
  array?: string[];
  map?: Record<string, string>;
}

export interface ManifestResponse {
  manifests: string[];
  sourceType?: string;
}

export interface RepositoryResponse {
  isSupported: boolean;
  isDiscoveryEnabled: boolean;
}

export interface ParametersAnnouncementResponse {
  parameterAnnouncements: ParameterAnnouncement[];
}

export interface CheckPluginConfigurationResponse {
  isDiscoveryConfigured: boolean;
  provideGitCreds: boolean;
}

/** Folder of plugin.proto (copied next to the compiled code by scripts/postbuild.mjs). */
export const protoDir = join(dirname(fileURLToPath(import.meta.url)), 'proto');

/** Loader options shared by the server and the test client: decoded shapes above. */
export const protoLoaderOptions = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
  includeDirs: [protoDir],
};

/** Loads `plugin.ConfigManagementPluginService` from the vendored proto at runtime. */
export function pluginServiceDefinition(): grpc.ServiceDefinition {
  const pkg = loadSync(join(protoDir, 'plugin.proto'), protoLoaderOptions);
  const def = pkg['plugin.ConfigManagementPluginService'];
  if (def === undefined || !('GenerateManifest' in def)) {
    throw new Error('plugin.proto does not define plugin.ConfigManagementPluginService');
  }
  return def;
}
