import io.dso.Dsoctl

/**
 * dsoVerify(image: 'registry/app:1', key: 'cosign.pub',
 *           require: ['sbom'], requireGate: 'final:3', digest: 'sha256:...'):
 * verifies an image's signatures and required attestations with
 * `dsoctl verify` (a moved tag fails when `digest` pins the image).
 * Returns a plain map: outcome, exitCode, message, verified, digest,
 * types (attestation types verified), evidence (the verified payloads and
 * envelopes, for dsoGate(stage: 'final', evidence: ...)), outputs, runId,
 * summary. A failed verification stops the build unless onFailure says
 * otherwise.
 */
def call(Map args = [:]) {
  def dso = new Dsoctl(this, 'dsoVerify')
  dso.checkKeys(args, ['image', 'blob', 'signature', 'key',
                       'keyCredentialsId', 'require',
                       'requireGate', 'digest', 'agent', 'onFailure', 'label'])
  String onFailure = dso.onFailure(args)
  if (!args.image == !args.blob) {
    dso.fail('image (an OCI layout directory or a registry reference) or blob (a file) is required, one of them')
  }
  if (args.blob && !args.signature) {
    dso.fail('signature is required with blob: the base64 signature or a file holding it')
  }
  if (!args.key && !args.keyCredentialsId) {
    dso.fail('key (a public key file or KEYREF) or keyCredentialsId is required')
  }
  List words = args.blob
      ? ['verify', '--blob', args.blob.toString(), '--signature',
         args.signature.toString()]
      : ['verify', '--image', args.image.toString()]
  if (args.key) words += ['--key', args.key.toString()]
  for (String t : Dsoctl.listOf(args.require)) words += ['--require', t]
  words += dso.pinWords(args)
  List bindings = []
  if (args.keyCredentialsId) {
    bindings << file(credentialsId: args.keyCredentialsId.toString(),
                     variable: 'DSO_KEY')
  }
  Map result = dso.runWith(bindings, args, dso.workDir(), words,
                           (args.label ?: "dso verify ${args.image ?: args.blob}").toString())
  result.verified = result.exitCode == 0
  result.digest = result.outputs['image.digest'] ?: ''
  String types = result.outputs['verified.types'] ?: ''
  result.types = types ? types.tokenize(',') : []
  result.evidence = result.reports.values().collect { it.toString() }
  dso.apply(result, onFailure)
  return result
}
