// The cluster suites against one real control plane (test/cluster/global-setup.mjs). They change
// cluster-wide admission (webhook configurations, ValidatingAdmissionPolicies), so they run here,
// one after another, and never beside each other in parallel workers.
import { api, cluster, rssMiB } from './kube.js';
import './webhook.suite.js';
import './pss.suite.js';
import './vap.suite.js';
import './emit.suite.js';

test('the control plane is kube-apiserver v1.37.2 (start-up time and RSS in the log)', async () => {
  const v = await api('GET', '/version');
  expect(v.body['gitVersion']).toBe('v1.37.2');
  const c = cluster();
  console.log(`kube-apiserver ready in ${c.readyMs} ms; RSS ${rssMiB(c.apiserverPid)} MiB (etcd ${rssMiB(c.etcdPid)} MiB)`);
});
