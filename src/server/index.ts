// The HTTP side of every deployment: health, readiness and Prometheus metrics, and the
// admission webhook door (AdmissionReview in, the shared policy engine, AdmissionReview out).
// It never renders or decrypts, and a metric label never carries an object name or a value.
export { createHttpApp, type ReadinessCheck } from './app.js';
export { gateMetrics, type GateMetrics } from '../log/metrics.js';
export { addValidateRoute, parseReview, review, inScope, webhookConfig, type AdmissionResponse, type ValidateOptions } from './validate.js';
export { startWebhook, type Webhook, type WebhookOptions } from './webhook.js';
export { argoSourceDenial, argoSourceProblems, isArgoApp } from './argocd.js';
