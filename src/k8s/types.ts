/** A Kubernetes object as parsed from YAML/JSON: only the envelope is typed. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: K8sMetadata;
  [field: string]: unknown;
}

export interface K8sMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/**
 * One object moving through the pipeline, with where it came from. `source` names the file
 * (relative to the app dir) or the tool output it was read from; `decryptedBy` is set by the
 * SOPS stage to the key name that decrypted it.
 */
export interface Resource {
  object: K8sObject;
  source: string;
  /** Index of the document within its source (0-based). */
  doc: number;
  /** Name of the granted key that decrypted this object, when it carried SOPS metadata. */
  decryptedBy?: string;
  /** True when the object carried SOPS metadata in the repo (before decryption). */
  encryptedInRepo?: boolean;
  /** Paths of the fields that hold decrypted SOPS material (values or their base64), set by the SOPS stage. */
  decryptedMaterialAt?: string[];
}
