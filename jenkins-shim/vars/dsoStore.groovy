import io.dso.Dsoctl

/**
 * dsoStore(src: 'dist/app.tar.gz', dest: 's3://artifacts/app/'):
 * stores a file (file://, s3://, nexus+https://, ftp://) or an image with
 * its signatures (oci://) with `dsoctl store put`; with op: 'get', loads
 * one back (`dest` a file, or a layout directory for oci://), verified by
 * digest and, with `allowlist`, only from vetted stores. Credentials only
 * through Jenkins credentials: credentialsId (username/password for Nexus
 * and FTP), awsCredentialsId (access key id / secret key for S3),
 * registryCredentialsId (for oci://). Returns a plain map: outcome,
 * exitCode, message, url, digest, size, outputs, runId, summary.
 */
def call(Map args = [:]) {
  def dso = new Dsoctl(this, 'dsoStore')
  dso.checkKeys(args, ['op', 'src', 'dest', 'digest', 'allowlist',
                       'credentialsId', 'awsCredentialsId',
                       'registryCredentialsId', 'insecureRegistry', 'agent',
                       'onFailure', 'label'])
  String onFailure = dso.onFailure(args)
  String op = (args.op ?: 'put').toString()
  if (!(op in ['put', 'get'])) dso.fail("op '${op}' is not put or get")
  if (!args.src) dso.fail('src is required')
  if (op == 'get' && !args.dest) dso.fail('dest is required for get')
  List words = ['store', op, args.src.toString()]
  if (args.dest) words << args.dest.toString()
  if (args.digest) {
    if (op != 'get') dso.fail('digest applies to get')
    words += ['--digest', args.digest.toString()]
  }
  if (args.allowlist) {
    if (op != 'get') dso.fail('allowlist applies to get')
    words += ['--allowlist', args.allowlist.toString()]
  }
  for (String h : Dsoctl.listOf(args.insecureRegistry)) {
    words += ['--insecure-registry', h]
  }
  List bindings = []
  Map creds = [credentialsId        : ['DSO_STORE_USERNAME', 'DSO_STORE_PASSWORD'],
               awsCredentialsId     : ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
               registryCredentialsId: ['DSO_REGISTRY_USERNAME', 'DSO_REGISTRY_PASSWORD']]
  for (String key : creds.keySet()) {
    if (!args[key]) continue
    bindings << usernamePassword(credentialsId: args[key].toString(),
                                 usernameVariable: creds[key][0],
                                 passwordVariable: creds[key][1])
  }
  Map result = dso.runWith(bindings, args, dso.workDir(), words,
                           (args.label ?: "dso store ${op} ${args.src}").toString())
  result.url = result.outputs['url'] ?: ''
  result.digest = result.outputs['digest'] ?: (result.outputs['image.digest'] ?: '')
  result.size = result.outputs['size'] ?: ''
  dso.apply(result, onFailure)
  return result
}
