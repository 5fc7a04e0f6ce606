import io.dso.Dsoctl

/**
 * dsoScan(path: '.', scanners: 'secrets,deps', failOn: 'HIGH', ...):
 * scans a directory with dsoctl, streams its output, publishes the SARIF
 * report through Warnings NG when asked, and returns a plain map (outcome,
 * exitCode, message, counts, reports, artifacts, runId, summary).
 */
def call(Map args = [:]) {
  def dso = new Dsoctl(this, 'dsoScan')
  dso.checkKeys(args, ['path', 'scanners', 'config', 'db', 'sbom', 'failOn',
                       'git', 'agent', 'publish', 'archive', 'onFailure',
                       'label', 'threads'])
  String onFailure = dso.onFailure(args)
  String path = (args.path ?: '.').toString()
  List words = ['scan', '--path', path]
  List scanners = Dsoctl.listOf(args.scanners)
  for (String s : scanners) {
    if (!(s in ['secrets', 'deps', 'all'])) {
      dso.fail("scanners: '${s}' is not secrets, deps or all")
    }
  }
  if (scanners) words += ['--scanners', scanners.join(',')]
  if (args.failOn) {
    String sev = args.failOn.toString().toUpperCase()
    if (!(sev in ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'])) {
      dso.fail("failOn: '${args.failOn}' is not a severity " +
               '(CRITICAL, HIGH, MEDIUM, LOW, INFO)')
    }
    words += ['--fail-on', sev]
  }
  if (args.config) words += ['--config', args.config.toString()]
  if (args.db) words += ['--db', args.db.toString()]
  if (args.git) words += ['--git']
  if (args.threads) words += ['--threads', args.threads.toString()]
  String dir = dso.workDir()
  if (args.sbom) words += ['--sbom', "${dir}/sbom.cdx.json".toString()]
  Map result = dso.run(args, dir, words,
                       (args.label ?: "dso scan ${path}").toString())
  if (args.publish && result.reports['secrets.sarif']) {
    String sarifCopy = dso.stage(result.reports['secrets.sarif'])
    recordIssues(tools: [sarif(pattern: sarifCopy, id: dso.publishId(),
                               name: 'dso')])
  }
  if (args.archive) dso.archive(result.reports)
  dso.unstage()
  dso.apply(result, onFailure)
  return result
}
