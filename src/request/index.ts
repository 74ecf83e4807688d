// The request model every stage reads: the trusted AppContext (who the app is, which keys and
// exceptions it may use), the untrusted RenderOptions (how to render) and the GateRequest that
// carries both through gate(). Types only: it holds no logic and imports no stage, so render,
// sops and policy depend on it instead of on the core that calls them.
export type { AppContext, RenderOptions } from './context.js';
export type { GateRequest, ResourceTransform } from './gate-request.js';
