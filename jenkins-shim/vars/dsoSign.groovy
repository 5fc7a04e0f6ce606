import io.dso.Dsoctl

/**
 * dsoSign(image: 'image' | 'registry/app:1' (or blob: 'dist/app.tgz'),
 *         keyCredentialsId: 'cosign-key',
 *         passwordCredentialsId: 'cosign-password',
 *         attest: [[file: 'gate.intoto.json', type: 'gate'], ...]):
 * signs an image cosign-compatibly with `dsoctl sign` and attests
 * documents (gate decisions, scan reports, SBOMs, provenance) beside it.
 * The key comes from a Jenkins file credential (or `key:` for a KEYREF such
 * as hashivault://name), its password from a secret-text credential; both
 * reach dsoctl only as environment variables. provenance: true also
 * attests SLSA provenance v1 from the build's environment (JENKINS_URL,
 * BUILD_URL, GIT_URL, GIT_COMMIT, BRANCH_NAME). Returns a plain map:
 * outcome, exitCode, message, digest, signatureTag, outputs, runId,
 * summary.
 */
def call(Map args = [:]) {
  def dso = new Dsoctl(this, 'dsoSign')
  dso.checkKeys(args, ['image', 'blob', 'key', 'keyCredentialsId',
                       'passwordCredentialsId', 'attest', 'type',
                       'annotations', 'noSignature', 'provenance', 'agent',
                       'onFailure', 'label'])
  String onFailure = dso.onFailure(args)
  if (!args.image == !args.blob) {
    dso.fail('image (an OCI layout directory or a registry reference) or blob (a file) is required, one of them')
  }
  if (!args.key && !args.keyCredentialsId) {
    dso.fail('key (a KEYREF) or keyCredentialsId (a file credential) is required')
  }
  if (args.key && args.keyCredentialsId) {
    dso.fail('give key or keyCredentialsId, not both')
  }
  String dir = dso.workDir()
  List words = args.blob
      ? ['sign', '--blob', args.blob.toString(), '--output-signature',
         "${dir}/blob.sig".toString()]
      : ['sign', '--image', args.image.toString()]
  if (args.key) words += ['--key', args.key.toString()]
  List attest = args.attest instanceof Collection ? args.attest as List
      : (args.attest ? [args.attest] : [])
  for (Object a : attest) {
    String file = a instanceof Map ? a.file?.toString() : a.toString()
    String type = a instanceof Map ? (a.type ?: args.type)?.toString()
        : args.type?.toString()
    if (!file) dso.fail('attest: each entry needs a file')
    if (!type) dso.fail("attest: '${file}' needs a type (gate, scan, sbom, provenance or a URI)")
    words += ['--attest', file, '--type', type]
  }
  if (args.annotations != null && !(args.annotations instanceof Map)) {
    dso.fail('annotations must be a map of key to value')
  }
  for (String kv : Dsoctl.pairsOf(args.annotations)) {
    words += ['--annotation', kv]
  }
  if (args.provenance) words += ['--provenance']
  if (args.noSignature) {
    if (!attest && !args.provenance) dso.fail('noSignature needs something to attest')
    words += ['--no-signature']
  }
  List bindings = []
  if (args.keyCredentialsId) {
    bindings << file(credentialsId: args.keyCredentialsId.toString(),
                     variable: 'DSO_KEY')
  }
  if (args.passwordCredentialsId) {
    bindings << string(credentialsId: args.passwordCredentialsId.toString(),
                       variable: 'DSO_KEY_PASSWORD')
  }
  Map result = dso.runWith(bindings, args, dir, words,
                           (args.label ?: "dso sign ${args.image ?: args.blob}").toString())
  result.digest = result.outputs['image.digest'] ?: ''
  result.signatureTag = result.outputs['signature.tag'] ?: ''
  // A blob's base64 signature (as cosign sign-blob writes it) and its file.
  result.signature = result.outputs['signature'] ?: ''
  result.signatureFile = args.blob ? "${dir}/blob.sig".toString() : ''
  dso.apply(result, onFailure)
  return result
}
