import type { GateConfig } from '../config/index.js';
import type { AppContext } from '../request/index.js';
import type { K8sObject } from '../k8s/index.js';
import { asList, asMap, asString, asStringMap } from './fields.js';
import { anyGlob, globMatch } from './glob.js';
import { effectiveNamespace } from './scope.js';
import type { ScanNotice, Waiver } from './types.js';

/** The annotation through which an app author asks for a waiver (honoured only where the platform allows). */
export const WAIVER_ANNOTATION = 'syncgate.dev/waivers';

const DAY = 86_400_000;

interface Exception {
  index: number;
  policies: readonly string[];
  match: GateConfig['spec']['exceptions'][number]['match'];
  reason: string;
  expires?: Date;
}

interface InlineWaiver {
  policy: string;
  reason: string;
  expires: string;
}

/**
 * Decides whether a finding is waived: platform exceptions first, then an inline waiver the
 * platform allows. Collects notices about expired exceptions and refused inline waivers.
 */
export class WaiverBook {
  private readonly exceptions: readonly Exception[];
  private readonly notices = new Map<string, ScanNotice>();
  private readonly inline = new WeakMap<object, readonly InlineWaiver[]>();

  constructor(
    private readonly config: GateConfig,
    private readonly context: AppContext,
    private readonly now: Date,
  ) {
    this.exceptions = config.spec.exceptions.map((e, index) => ({
      index,
      policies: e.policies,
      match: e.match,
      reason: e.reason,
      ...(e.expires !== undefined ? { expires: new Date(e.expires) } : {}),
    }));
  }

  /** The waiver covering `policy` on `obj`, if any. */
  waive(policy: string, obj: K8sObject, objectId: string): Waiver | undefined {
    for (const e of this.exceptions) {
      if (!anyGlob(e.policies, policy) || !this.matches(e, obj)) continue;
      if (e.expires && e.expires.getTime() <= this.now.getTime()) {
        this.notice(`exception:${e.index}`, 'warn', `exception #${e.index + 1} (${e.reason}) expired on ${e.expires.toISOString().slice(0, 10)} and no longer applies: ${objectId}: ${policy}`);
        continue;
      }
      return { by: 'exception', reason: e.reason, ...(e.expires ? { expires: e.expires.toISOString() } : {}) };
    }
    return this.inlineWaiver(policy, obj, objectId);
  }

  /** Notices collected so far, in a stable order. */
  collected(): ScanNotice[] {
    return [...this.notices.values()];
  }

  private notice(key: string, level: ScanNotice['level'], message: string): void {
    if (!this.notices.has(key)) this.notices.set(key, { level, message });
  }

  private matches(e: Exception, obj: K8sObject): boolean {
    const m = e.match;
    if (m.projects && !anyGlob(m.projects, this.context.project)) return false;
    if (m.apps && !anyGlob(m.apps, this.context.appName)) return false;
    if (m.namespaces) {
      // A cluster-scoped object lands in no namespace, so an exception scoped to namespaces never covers it.
      const ns = effectiveNamespace(obj, this.context.namespace);
      if (ns === undefined || !anyGlob(m.namespaces, ns)) return false;
    }
    if (m.kinds && !m.kinds.includes(obj.kind)) return false;
    if (m.names && !anyGlob(m.names, obj.metadata.name)) return false;
    if (m.labels) {
      const labels = asStringMap(obj.metadata.labels);
      for (const [k, v] of Object.entries(m.labels)) if (labels[k] !== v) return false;
    }
    return true;
  }

  private entries(obj: K8sObject, objectId: string): readonly InlineWaiver[] {
    const hit = this.inline.get(obj);
    if (hit) return hit;
    const raw = asMap(obj.metadata.annotations)?.[WAIVER_ANNOTATION];
    let out: InlineWaiver[] = [];
    if (typeof raw === 'string') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        this.notice(`${objectId}:json`, 'warn', `${objectId}: annotation ${WAIVER_ANNOTATION} is not valid JSON: ignored`);
      }
      out = asList(Array.isArray(parsed) ? parsed : parsed === undefined ? [] : [parsed]).flatMap((e) => {
        const m = asMap(e);
        const policy = asString(m?.['policy']);
        if (!m || !policy) {
          this.notice(`${objectId}:shape`, 'warn', `${objectId}: annotation ${WAIVER_ANNOTATION}: every entry needs a policy, a reason and an expires date: ignored`);
          return [];
        }
        return [{ policy, reason: asString(m['reason'])?.trim() ?? '', expires: asString(m['expires']) ?? '' }];
      });
    }
    this.inline.set(obj, out);
    return out;
  }

  private inlineWaiver(policy: string, obj: K8sObject, objectId: string): Waiver | undefined {
    for (const w of this.entries(obj, objectId)) {
      if (!globMatch(w.policy, policy)) continue;
      const refuse = (why: string): undefined => {
        this.notice(`${objectId}:${w.policy}:${policy}`, 'warn', `${objectId}: inline waiver for ${policy} ignored: ${why}`);
        return undefined;
      };
      const allowance = this.config.spec.policies.inlineWaivers.find((a) => anyGlob(a.policies, policy));
      if (!allowance) {
        refuse('the platform config does not allow inline waivers for this policy');
        continue;
      }
      if (w.reason === '') {
        refuse('a reason is required');
        continue;
      }
      const expires = /^\d{4}-\d{2}-\d{2}/.test(w.expires) ? new Date(w.expires) : new Date(Number.NaN);
      if (Number.isNaN(expires.getTime())) {
        refuse('an expires date (YYYY-MM-DD) is required');
        continue;
      }
      if (expires.getTime() <= this.now.getTime()) {
        refuse(`it expired on ${w.expires}`);
        continue;
      }
      if (expires.getTime() - this.now.getTime() > allowance.maxDays * DAY) {
        refuse(`its expiry ${w.expires} is more than ${allowance.maxDays} days away`);
        continue;
      }
      return { by: 'annotation', reason: w.reason, expires: expires.toISOString() };
    }
    return undefined;
  }
}
