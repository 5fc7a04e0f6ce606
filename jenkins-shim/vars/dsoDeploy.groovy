import io.dso.Dsoctl

/**
 * dsoDeploy(image: 'registry/app:1', target: 'web',
 *           health: 'http://127.0.0.1:{port}/healthz', rasp: 'rasp.yaml'):
 * deploys an image with `dsoctl deploy` — only after it is verified
 * (signature by the target's key or verifyKey, attestations, a passed
 * final gate) — to a target of the agent's config or host://DIR, under
 * runtime self-protection; an unhealthy release is rolled back. With
 * action: 'stop', 'status' or 'events', stops a target, shows it, or lists
 * its RASP events. Returns a plain map: outcome, exitCode, message,
 * deployed, release, previous, rolledBack, digest, events, blocked,
 * outputs, runId, summary.
 */
def call(Map args = [:]) {
  def dso = new Dsoctl(this, 'dsoDeploy')
  dso.checkKeys(args, ['action', 'image', 'target', 'verifyKey',
                       'verifyKeyCredentialsId', 'registryCredentialsId',
                       'require', 'requireGate', 'digest', 'health',
                       'healthTimeout', 'rasp', 'strategy', 'port', 'keep',
                       'command', 'env', 'include', 'name', 'limit', 'agent',
                       'onFailure', 'label'])
  String onFailure = dso.onFailure(args)
  String action = (args.action ?: 'deploy').toString()
  if (!(action in ['deploy', 'stop', 'status', 'events', 'unit'])) {
    dso.fail("action '${action}' is not deploy, stop, status, events or unit")
  }
  if (!args.target) {
    dso.fail('target is required (a target of the agent\'s config, or host://DIR)')
  }
  List words = ['deploy']
  if (action != 'deploy') {
    words += [action, '--target', args.target.toString()]
    if (args.limit) words += ['--limit', args.limit.toString()]
  } else {
    if (!args.image) dso.fail('image is required')
    if (args.verifyKey && args.verifyKeyCredentialsId) {
      dso.fail('verifyKey or verifyKeyCredentialsId, not both')
    }
    words += ['--image', args.image.toString(), '--target', args.target.toString()]
    if (args.verifyKey) words += ['--verify-key', args.verifyKey.toString()]
    for (String t : Dsoctl.listOf(args.require)) words += ['--require', t]
    words += dso.pinWords(args)
    if (args.strategy && !(args.strategy.toString() in ['replace', 'blue-green'])) {
      dso.fail("strategy '${args.strategy}' is not replace or blue-green")
    }
    Map numbers = [port: '--port', keep: '--keep', healthTimeout: '--health-timeout']
    for (String key : numbers.keySet()) {
      if (args[key] == null) continue
      if (!(args[key].toString() ==~ /[0-9]+/)) {
        dso.fail("${key} must be a whole number, not '${args[key]}'")
      }
      words += [numbers[key], args[key].toString()]
    }
    Map texts = [health: '--health', rasp: '--rasp', strategy: '--strategy',
                 name: '--name']
    for (String key : texts.keySet()) {
      if (args[key]) words += [texts[key], args[key].toString()]
    }
    for (String c : Dsoctl.listOf(args.command)) words += ['--command', c]
    for (String e : Dsoctl.pairsOf(args.env)) words += ['--env', e]
    for (String i : Dsoctl.listOf(args.include)) words += ['--include', i]
  }
  List bindings = []
  if (args.verifyKeyCredentialsId) {
    bindings << file(credentialsId: args.verifyKeyCredentialsId.toString(),
                     variable: 'DSO_VERIFY_KEY')
  }
  if (args.registryCredentialsId) {
    bindings << usernamePassword(credentialsId: args.registryCredentialsId.toString(),
                                 usernameVariable: 'DSO_REGISTRY_USERNAME',
                                 passwordVariable: 'DSO_REGISTRY_PASSWORD')
  }
  Map result = dso.runWith(bindings, args, dso.workDir(), words,
                           (args.label ?: "dso deploy ${action} ${args.target}").toString())
  Map out = result.outputs
  result.deployed = action == 'deploy' && result.exitCode == 0
  result.release = out['release'] ?: ''
  result.previous = out['previous'] ?: ''
  result.rolledBack = out['rolled_back'] == 'true'
  result.digest = out['image.digest'] ?: ''
  result.events = (out['events'] ?: '0') as int
  result.blocked = (out['blocked'] ?: '0') as int
  dso.apply(result, onFailure)
  return result
}
