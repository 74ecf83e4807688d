import type { ToolName } from '../exec/index.js';

// Hints the tools print for their own command line. Under syncgate they name flags the user
// cannot pass, so each is replaced by what to do instead (issue 17 item 7).
const HINTS: Readonly<Record<string, readonly (readonly [RegExp, string])[]>> = {
  helm: [
    // helm pkg/action: "Use --debug flag to render out invalid YAML"
    [/\s*Use --debug flag to render out invalid YAML\.?/g, ' (to see the rendered YAML, run `helm template --debug` on the chart)'],
  ],
  kustomize: [
    // kustomize api/krusty: helmCharts without --enable-helm
    [/must specify --enable-helm/g, 'helmCharts need spec.render.kustomize.enableHelm: true in the GateConfig'],
  ],
};

/** A tool's stderr with its own command-line hints replaced by syncgate's. */
export function translateToolHints(tool: ToolName, text: string): string {
  let out = text;
  for (const [re, replacement] of HINTS[tool] ?? []) out = out.replace(re, replacement);
  return out;
}
