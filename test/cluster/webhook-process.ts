// The built `syncgate webhook` as the cluster suites run it: HTTPS on 127.0.0.1 with a serving
// certificate made by openssl at test time, its files swapped atomically to rotate it.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'dist', 'cli', 'main.js');

/** A throwaway CA and serving certificates for 127.0.0.1 signed by it. */
export class TestCA {
  constructor(
    readonly dir: string,
    readonly name: string,
  ) {
    this.openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '1', '-subj', `/CN=${name}`);
  }

  get pem(): Buffer {
    return readFileSync(join(this.dir, `${this.name}.crt`));
  }

  private openssl(...args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' });
  }

  /** Issues `<file>.crt`/`<file>.key` for 127.0.0.1 with the given serial. */
  issue(file: string, serial: string): void {
    writeFileSync(join(this.dir, `${file}.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    this.openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${file}.key`, '-out', `${file}.csr`, '-subj', '/CN=127.0.0.1');
    this.openssl('x509', '-req', '-in', `${file}.csr`, '-CA', `${this.name}.crt`, '-CAkey', `${this.name}.key`, '-set_serial', serial, '-days', '1', '-out', `${file}.crt`, '-extfile', `${file}.ext`);
  }
}

export interface WebhookProcess {
  port: number;
  dir: string;
  ca: TestCA;
  /** Everything the process wrote to stderr so far (its JSON log). */
  log: () => string;
  /** Installs `<file>.crt/.key` as the served pair, each file replaced atomically (as the kubelet does). */
  mount: (file: string) => void;
  stop: () => Promise<void>;
}

/** Starts `syncgate webhook` with the given GateConfig YAML; resolves when it listens. */
export async function startWebhook(configYaml: string, timeoutMs = 30_000): Promise<WebhookProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'syncgate-cluster-webhook-'));
  const ca = new TestCA(dir, 'webhook-ca');
  ca.issue('one', '0x1001');
  const mount = (file: string): void => {
    for (const ext of ['key', 'crt']) {
      writeFileSync(join(dir, `tls.${ext}.tmp`), readFileSync(join(dir, `${file}.${ext}`)));
      renameSync(join(dir, `tls.${ext}.tmp`), join(dir, `tls.${ext}`));
    }
  };
  mount('one');
  writeFileSync(join(dir, 'config.yaml'), configYaml);
  let stderr = '';
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, 'webhook', '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key'), '--port', '0', '--host', '127.0.0.1', '--reload-interval', '100ms'],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SYNCGATE_CONFIG: join(dir, 'config.yaml'), SYNCGATE_LOG_LEVEL: 'info' } },
  );
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`webhook did not start within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
      const onData = (): void => {
        const m = /"port":(\d+),"msg":"webhook listening"/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stderr!.on('data', onData);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`webhook exited ${child.exitCode}: ${stderr}`));
      });
    });
    return { port, dir, ca, log: () => stderr, mount, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
