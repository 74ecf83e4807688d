import type { ToolName } from '../exec/index.js';

// Hints the tools print for their own command line. Under syncgate they name flags the user
// cannot pass, so each is replaced by what to do instead (issue 17 item 7).
const HINTS: Readonly<Record<string, readonly (readonly [RegExp, (text: string) => string])[]>> = {
  helm: [
    // `helm template` ends every failure with "Use --debug flag to render out invalid YAML"
    // (helm cmd/helm/template.go); it helps only when the rendered YAML is what is invalid.
    [
      /\s*Use --debug flag to render out invalid YAML\.?/g,
      (text) => (/YAML parse error|error converting YAML/.test(text) ? ' (to see the rendered YAML, run `helm template --debug` on the chart)' : ''),
    ],
  ],
  kustomize: [
    // kustomize api/krusty: helmCharts without --enable-helm
    [/must specify --enable-helm/g, () => 'helmCharts need spec.render.kustomize.enableHelm: true in the GateConfig'],
  ],
};

/** A tool's stderr with its own command-line hints replaced by syncgate's. */
export function translateToolHints(tool: ToolName, text: string): string {
  let out = text;
  for (const [re, replacement] of HINTS[tool] ?? []) {
    const by = replacement(text);
    out = out.replace(re, () => by);
  }
  return out;
}
