import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { SyncgateError } from '../errors/index.js';
import { collectList } from './options.js';
import { printError } from './output.js';

interface KeysNewFlags {
  project: string[];
  namespace: string[];
  repo: string[];
  out?: string;
  showPrivate?: boolean;
  secretNamespace: string;
  secretName: string;
  mountDir: string;
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The `.sops.yaml` creation rules `keys new` prints. Each rule encrypts everything secret in the
 * files it matches: Helm values files (the default `spec.sops.valuesFilePatterns`) and any other
 * file (dotenv, INI, certificates) entirely; only files named like a Secret manifest keep their
 * envelope readable (`data`/`stringData` encrypted), so the render can read kind and names.
 */
export function sopsRules(recipient: string): string {
  return [
    'creation_rules:',
    '  # Helm values files syncgate decrypts before helm (secrets*.yaml, *.sops.yaml, *.enc.yaml): every value',
    `  - path_regex: '(^|/)(secrets[^/]*\\.ya?ml|[^/]*\\.sops\\.ya?ml|[^/]*\\.enc\\.yaml)$'`,
    `    age: ${recipient}`,
    '  # Kubernetes Secret manifests (file name contains "secret"): data and stringData',
    `  - path_regex: '(^|/)[^/]*secret[^/]*\\.(ya?ml|json)$'`,
    `    encrypted_regex: '^(data|stringData)$'`,
    `    age: ${recipient}`,
    '  # any other file you encrypt (generator .env/.ini files, certificates): every value',
    `  - age: ${recipient}`,
  ].join('\n');
}

/** The text `syncgate keys new` prints: recipient, .sops.yaml rule, config grant, Secret manifest. */
export function keysNewText(tenant: string, recipient: string, identity: string | undefined, flags: KeysNewFlags): string {
  const projects = flags.project.length ? flags.project : [tenant];
  const namespaces = flags.namespace.length ? flags.namespace : [tenant];
  const secretName = flags.secretName;
  const entry = `${tenant}.txt`;
  const identityFile = `${flags.mountDir.replace(/\/+$/, '')}/${entry}`;

  const grant = {
    keys: [
      {
        name: tenant,
        ageIdentityFile: identityFile,
        grants: { projects, namespaces, ...(flags.repo.length ? { repos: flags.repo } : {}) },
      },
    ],
  };
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secretName, namespace: flags.secretNamespace, labels: { 'app.kubernetes.io/part-of': 'syncgate' } },
    type: 'Opaque',
    stringData: { [entry]: identity === undefined ? '<contents of the identity file>' : `# syncgate key ${tenant}\n# public key: ${recipient}\n${identity}\n` },
  };
  const y = (v: unknown): string => stringify(v, { lineWidth: 0 });
  return [
    `# age recipient (public key) of tenant ${tenant}: encrypt with it, share it freely`,
    recipient,
    '',
    `# .sops.yaml at the root of the tenant's repo (sops uses the first rule that matches a file)`,
    sopsRules(recipient),
    '',
    '# GateConfig spec.keys entry (platform config): who may use the key, where its Secrets may land',
    y(grant).trimEnd(),
    '',
    `# Kubernetes Secret entry for the identity, mounted into the syncgate sidecar at ${flags.mountDir} (deploy/argocd).`,
    `# The Secret holds every tenant's key: add this entry, do not replace the others, e.g.`,
    `#   kubectl -n ${flags.secretNamespace} patch secret ${secretName} --type merge -p '{"stringData":{"${entry}":"…"}}'`,
    ...(identity === undefined && flags.out
      ? [`#   or: kubectl -n ${flags.secretNamespace} create secret generic ${secretName} --from-file=${entry}=${flags.out} (first tenant)`]
      : []),
    y(secret).trimEnd(),
    '',
  ].join('\n');
}

/** `syncgate keys new <tenant>`: creates an age identity for a tenant and prints how to use it. */
export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('manage the per-tenant age keys syncgate decrypts SOPS files with');
  keys
    .command('new')
    .description('create an age key for a tenant; print its recipient, a .sops.yaml rule, the config grant and a Secret manifest')
    .argument('<tenant>', 'tenant (key) name, a DNS label')
    .option('--project <name>', 'Argo CD project granted the key (repeatable; default: the tenant)', collectList, [])
    .option('--namespace <ns>', 'namespace decrypted objects may land in (repeatable, globs; default: the tenant)', collectList, [])
    .option('--repo <url>', 'repo URL pattern granted the key (repeatable)', collectList, [])
    .option('--out <file>', 'write the private identity to this new file (mode 0600; default without --show-private: ./<tenant>.agekey)')
    .option('--show-private', 'print the private identity in the Secret manifest (warning on stderr)')
    .option('--secret-namespace <ns>', 'namespace of the Secret (where the sidecar runs)', 'argocd')
    .option('--secret-name <name>', 'the Secret the sidecar mounts the keys from', 'syncgate-age-keys')
    .option('--mount-dir <dir>', 'where the sidecar mounts that Secret', '/etc/syncgate/keys')
    .action(async (tenant: string, flags: KeysNewFlags) => {
      try {
        if (!DNS_LABEL.test(tenant)) throw new SyncgateError('USAGE_INVALID', `tenant ${JSON.stringify(tenant)}: must be a DNS label (lower case, digits, -)`);
        // Without --out or --show-private the identity goes to ./<tenant>.agekey (never overwritten).
        if (!flags.out && !flags.showPrivate) flags.out = `${tenant}.agekey`;
        const { generateX25519Identity, identityToRecipient } = await import('age-encryption');
        const identity = await generateX25519Identity();
        const recipient = await identityToRecipient(identity);
        if (flags.out) {
          try {
            writeFileSync(flags.out, `# syncgate key ${tenant}\n# public key: ${recipient}\n${identity}\n`, { mode: 0o600, flag: 'wx' });
          } catch (e) {
            throw new SyncgateError('USAGE_INVALID', `${flags.out}: cannot create identity file: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
          }
        }
        if (flags.showPrivate) {
          process.stderr.write('warning: the private age identity is printed on stdout; anyone who reads it can decrypt this tenant\'s secrets\n');
        }
        process.stdout.write(keysNewText(tenant, recipient, flags.showPrivate ? identity : undefined, flags));
      } catch (e) {
        process.exitCode = printError(e);
      }
    });
}
