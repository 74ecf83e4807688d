// The webhook's body goes through the k8s codec (issue 12): a deeply nested or malformed body is
// a coded 400, repeated as often as a client likes, and integers past 2^53 reach the policies exact.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { parseConfig } from '../../../src/config/index.js';
import { silentLogger } from '../../../src/log/index.js';
import { addValidateRoute, createHttpApp } from '../../../src/server/index.js';

let server: Server;
let url: string;

beforeAll(async () => {
  const config = parseConfig({ apiVersion: 'syncgate.dev/v1alpha1', kind: 'GateConfig', spec: { webhook: { scope: { mode: 'all' } } } });
  const app = addValidateRoute(createHttpApp(), { config, logger: silentLogger() });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/validate`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function post(body: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const review = (object: string): string =>
  `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1","operation":"CREATE","namespace":"a","userInfo":{"username":"x"},"object":${object}}}`;

test('an object nested 100,000 deep: LIMIT_EXCEEDED, 20 times, and the server keeps answering', async () => {
  const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
  for (let i = 0; i < 20; i++) {
    const r = await post(review(deep));
    expect(r.status).toBe(400);
    expect(r.body['code']).toBe('LIMIT_EXCEEDED');
  }
  const ok = await post(review('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"a"}}'));
  expect(ok.status).toBe(200);
});

test('a body that is not JSON: WEBHOOK_REVIEW_INVALID', async () => {
  const r = await post('{"apiVersion": ');
  expect(r.status).toBe(400);
  expect(r.body).toEqual({ code: 'WEBHOOK_REVIEW_INVALID', message: 'admission review: body is not valid JSON' });
});

test('runAsUser beyond 2^53 is judged exactly and answered without a serialisation crash', async () => {
  const pod = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"a"},"spec":{"securityContext":{"runAsUser":9223372036854775807},"containers":[{"name":"c","image":"x"}]}}';
  const r = await post(review(pod));
  expect(r.status).toBe(200);
  expect((r.body['response'] as Record<string, unknown>)['uid']).toBe('u-1');
});
