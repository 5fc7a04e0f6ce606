import io.dso.Dsoctl

/**
 * dsoScan(path: '.', scanners: 'secrets,deps', failOn: 'HIGH',
 *         failOnUnreadable: true, ...), or
 * dsoScan(image: 'OCI_DIR' | 'OCI_DIR:TAG' | 'archive.tar', ...): scans a
 * directory or a container image with dsoctl, streams its output,
 * publishes the SARIF report through Warnings NG when asked, and returns a
 * plain map (outcome, exitCode, message, counts, reports, artifacts,
 * outputs, runId, summary).
 */
def call(Map args = [:]) {
  def dso = new Dsoctl(this, 'dsoScan')
  dso.checkKeys(args, ['path', 'image', 'scanners', 'config', 'db', 'sbom',
                       'failOn', 'failOnUnreadable', 'git', 'agent',
                       'publish', 'archive', 'onFailure', 'label',
                       'threads'])
  String onFailure = dso.onFailure(args)
  if (args.path && args.image) dso.fail('give path or image, not both')
  if (args.image && args.git) dso.fail('git applies to path, not image')
  String path = (args.path ?: '.').toString()
  String target = args.image ? args.image.toString() : path
  List words = args.image ? ['scan', '--image', target]
                          : ['scan', '--path', path]
  List scanners = Dsoctl.listOf(args.scanners)
  List known = args.image ? ['secrets', 'deps', 'image', 'all']
                          : ['secrets', 'deps', 'all', 'iac']
  for (String s : scanners) {
    if (!(s in known)) {
      dso.fail("scanners: '${s}' is not ${known.join(', ')}")
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
  // A scan that could not read every file is not a clean one.
  if (args.failOnUnreadable) words += ['--fail-on-unreadable']
  if (args.config) words += ['--config', args.config.toString()]
  if (args.db) words += ['--db', args.db.toString()]
  if (args.git) words += ['--git']
  if (args.threads) words += ['--threads', args.threads.toString()]
  String dir = dso.workDir()
  if (args.sbom) words += ['--sbom', "${dir}/sbom.cdx.json".toString()]
  Map result = dso.run(args, dir, words,
                       (args.label ?: "dso scan ${target}").toString())
  // findings.sarif; secrets.sarif from a dsoctl of before the rename.
  // (Not named "sarif": that is the warnings-ng tool below.)
  Object sarifReport = result.reports['findings.sarif'] ?: result.reports['secrets.sarif']
  if (args.publish && sarifReport) {
    String sarifCopy = dso.stage(sarifReport.toString())
    recordIssues(tools: [sarif(pattern: sarifCopy, id: dso.publishId(),
                               name: 'dso')])
  }
  if (args.archive) dso.archive(result.reports)
  dso.unstage()
  dso.apply(result, onFailure)
  return result
}
