import io.dso.Dsoctl

/**
 * dsoGate(level: 3, reports: [...], stage: 'source', policy: ..., ...):
 * judges reports with dsoctl gate, publishes the decision as JUnit (one
 * test case per condition), and returns a plain map (outcome, exitCode,
 * message, counts, reports, artifacts, runId, summary, decision).
 */
def call(Map args = [:]) {
  def dso = new Dsoctl(this, 'dsoGate')
  dso.checkKeys(args, ['level', 'reports', 'stage', 'policy', 'waivers',
                       'baseline', 'mode', 'evidence', 'subject', 'agent',
                       'junit', 'archive', 'onFailure', 'label'])
  String onFailure = dso.onFailure(args)
  if (args.level == null) dso.fail('level is required (1 to 4)')
  int level
  try {
    level = args.level as int
  } catch (Exception e) {
    level = 0
  }
  if (level < 1 || level > 4) dso.fail("level '${args.level}' is not 1 to 4")
  List reports = Dsoctl.listOf(args.reports)
  if (!reports) {
    dso.fail('reports is required: the SARIF or JSON reports to judge')
  }
  String stage = (args.stage ?: 'source').toString()
  if (!(stage in ['source', 'container', 'final'])) {
    dso.fail("stage '${stage}' is not source, container or final")
  }
  String mode = (args.mode ?: 'enforce').toString()
  if (!(mode in ['enforce', 'warn'])) {
    dso.fail("mode '${mode}' is not enforce or warn")
  }
  List words = ['gate', '--level', level.toString(), '--stage', stage,
                '--mode', mode]
  for (String r : reports) words += ['--report', r]
  if (args.policy) words += ['--policy', args.policy.toString()]
  if (args.waivers) words += ['--waivers', args.waivers.toString()]
  if (args.baseline) words += ['--baseline', args.baseline.toString()]
  for (String e : Dsoctl.listOf(args.evidence)) words += ['--evidence', e]
  if (args.subject) words += ['--subject', args.subject.toString()]
  String dir = dso.workDir()
  Map result = dso.run(args, dir, words,
                       (args.label ?: "dso gate, level ${level}, ${stage}").toString())
  result.decision = result.reports['gate.json'] ?: ''
  if (args.junit != false && result.reports['gate-junit.xml']) {
    String junitCopy = dso.stage(result.reports['gate-junit.xml'])
    junit(testResults: junitCopy, allowEmptyResults: true)
  }
  if (args.archive) dso.archive(result.reports)
  dso.unstage()
  dso.apply(result, onFailure)
  return result
}
