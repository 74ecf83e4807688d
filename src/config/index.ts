// The platform config (GateConfig): schema, defaults, loading and JSON Schema export.
// Parsed once at start-up, every problem reported with its path, then deep-frozen. Nothing in
// an app's repo or env may reach this module: it is the platform's word only.
export { gateConfigSchema, type GateConfig, type GateConfigInput, type GateSpec } from './schema.js';
export { loadConfig, parseConfig, defaultConfig, configJsonSchema } from './load.js';
export { parseBytes, parseDuration, durationProblem } from './units.js';
