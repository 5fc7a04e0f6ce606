import io.dso.Dsoctl

/**
 * dsoBuild(context: 'app', base: 'base-oci', tag: 'app:1',
 *          entrypoint: ['/app/server'], user: '65532', ...):
 * builds an OCI image with `dsoctl build` — no Docker daemon, the same
 * inputs giving the same digest (SOURCE_DATE_EPOCH is taken from the
 * environment when set) — and returns a plain map: outcome, exitCode,
 * message, image (the layout's path), digest, dockerArchive, outputs,
 * reports, artifacts, runId, summary.
 */
def call(Map args = [:]) {
  def dso = new Dsoctl(this, 'dsoBuild')
  dso.checkKeys(args, ['context', 'out', 'base', 'baseRef', 'appDir',
                       'entrypoint', 'cmd', 'env', 'user', 'workdir',
                       'expose', 'labels', 'files', 'tag', 'dockerArchive',
                       'agent', 'onFailure', 'label', 'archive'])
  String onFailure = dso.onFailure(args)
  String context = (args.context ?: '.').toString()
  String dir = dso.workDir()
  String out = (args.out ?: "${dir}/image").toString()
  List words = ['build', '--context', context, '--out', out]
  Map options = [base: '--base', baseRef: '--base-ref', appDir: '--app-dir',
                 user: '--user', workdir: '--workdir', tag: '--tag']
  for (String key : options.keySet()) {
    if (args[key]) words += [options[key], args[key].toString()]
  }
  for (String key : ['entrypoint', 'cmd']) {
    def value = args[key]
    if (value == null) continue
    if (value instanceof Collection) {
      words += ["--${key}".toString(), Dsoctl.jsonArray(value)]
    } else {
      words += ["--${key}".toString(), value.toString()]
    }
  }
  for (String kv : Dsoctl.pairsOf(args.env)) {
    if (!kv.contains('=') || kv.startsWith('=')) {
      dso.fail("env: '${kv}' is not NAME=VALUE")
    }
    words += ['--env', kv]
  }
  if (args.labels != null && !(args.labels instanceof Map)) {
    dso.fail('labels must be a map of label to value')
  }
  for (String kv : Dsoctl.pairsOf(args.labels)) words += ['--label', kv]
  for (String port : Dsoctl.listOf(args.expose)) words += ['--expose', port]
  for (Object f : (args.files ?: [])) {
    String spec = f instanceof Map
        ? "${f.source}:${f.dest}${f.mode ? ':' + f.mode : ''}".toString()
        : f.toString()
    if (!(spec ==~ /[^:]+:\/[^:]*(:[0-7]{3,4})?/)) {
      dso.fail("files: '${spec}' is not SRC:/DEST[:MODE]")
    }
    words += ['--file', spec]
  }
  String archivePath = ''
  if (args.dockerArchive) {
    archivePath = args.dockerArchive instanceof Boolean
        ? "${dir}/image.docker.tar".toString() : args.dockerArchive.toString()
    words += ['--docker-archive', archivePath]
  }
  Map result = dso.run(args, dir, words,
                       (args.label ?: "dso build ${context}").toString())
  result.image = out
  result.digest = result.outputs['image.digest'] ?: ''
  result.dockerArchive = archivePath
  if (args.archive && archivePath) {
    dso.archive(['image.docker.tar': archivePath])
  }
  dso.unstage()
  dso.apply(result, onFailure)
  return result
}
