// The Argo CD adapter: plugin.yaml, the env/parameters contract, discovery and parameter
// announcements, and the native CMP gRPC server (stream ingest, safe extraction, gate()).
// Everything it receives from the repo-server is hostile input; it never decides policy and
// never emits a subset: a refusal is a failed GenerateManifest.
export { startCmpServer, type CmpServer, type CmpServerOptions } from './server.js';
export { receiveRepoStream, type ReceivedStream } from './stream.js';
export { extractTgz, type ExtractOptions } from './extract.js';
export { Slots, type Release } from './slots.js';
export {
  pluginServiceDefinition,
  protoDir,
  protoLoaderOptions,
  type AppStreamRequest,
  type CheckPluginConfigurationResponse,
  type EnvEntry,
  type ManifestRequestMetadata,
  type ManifestResponse,
  type ParameterAnnouncement,
  type ParametersAnnouncementResponse,
  type RepositoryResponse,
} from './service.js';
export { loadPluginConfig, socketName, type PluginConfig } from './plugin-config.js';
