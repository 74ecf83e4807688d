import { translateToolHints } from '../../../src/render/tool-hints.js';

// issue 17 item 7: the tools' own flag hints name flags a syncgate user cannot pass.
describe('tool hints become syncgate hints', () => {
  test('helm\'s --debug hint on invalid rendered YAML says how to see that YAML', () => {
    const tail = 'Error: YAML parse error on bad/templates/cm.yaml: error converting YAML to JSON: yaml: line 7: mapping values are not allowed in this context\nUse --debug flag to render out invalid YAML';
    expect(translateToolHints('helm', tail)).toBe(
      'Error: YAML parse error on bad/templates/cm.yaml: error converting YAML to JSON: yaml: line 7: mapping values are not allowed in this context (to see the rendered YAML, run `helm template --debug` on the chart)',
    );
  });

  test('on other helm failures the hint is dropped', () => {
    expect(translateToolHints('helm', 'Error: chart requires kubeVersion: >=1.25.0-0 which is incompatible with Kubernetes v1.20.0\nUse --debug flag to render out invalid YAML')).toBe(
      'Error: chart requires kubeVersion: >=1.25.0-0 which is incompatible with Kubernetes v1.20.0',
    );
  });

  test('kustomize\'s --enable-helm names the GateConfig setting', () => {
    expect(translateToolHints('kustomize', 'Error: trouble configuring builtin HelmChartInflationGenerator: must specify --enable-helm')).toBe(
      'Error: trouble configuring builtin HelmChartInflationGenerator: helmCharts need spec.render.kustomize.enableHelm: true in the GateConfig',
    );
  });
});
